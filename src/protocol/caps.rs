//! Checking a task's frequency caps from published files alone (§17): no
//! target of its pool may have been drawn, for a capped item, as often as
//! the cap allows by the earlier draws that count against it.

use std::collections::BTreeMap;

use super::field::{ItemCode, TargetId};
use super::manifest::TargetManifest;
use super::parameters::Parameters;
use super::result::DrawResult;

/// An earlier task's revealed draw: its parameters name its task and items,
/// its result the targets drawn.
pub struct EarlierDraw {
    pub parameters: Parameters,
    pub result: DrawResult,
}

/// A target in a capped pool that earlier draws had already drawn, for the
/// item, as many times as the cap allows or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapBreach {
    pub item: ItemCode,
    pub target: TargetId,
    pub drawn: u32,
    pub cap: u32,
}

/// The breaches of `parameters`' caps by the pool `targets`, counting the
/// draws of `earlier` that are for the capped item (a task's own draw, if
/// given, does not count). Which earlier draws to give is the reader's
/// part: the same department's, drawn in the cap's year and revealed before
/// this task was committed, not abandoned (§17).
pub fn breaches(
    parameters: &Parameters,
    targets: &TargetManifest,
    earlier: &[EarlierDraw],
) -> Vec<CapBreach> {
    let mut found = Vec::new();
    for (item, cap) in parameters.frequency_caps() {
        let mut drawn: BTreeMap<&TargetId, u32> = BTreeMap::new();
        let counted = earlier
            .iter()
            .filter(|draw| draw.parameters.task != parameters.task && draw.parameters.items().contains(item));
        for draw in counted {
            for target in &draw.result.targets {
                *drawn.entry(&target.id).or_default() += 1;
            }
        }
        for (target, times) in drawn {
            if times >= cap.times() && targets.find(target.as_str()).is_some() {
                found.push(CapBreach {
                    item: item.clone(),
                    target: target.clone(),
                    drawn: times,
                    cap: cap.times(),
                });
            }
        }
    }
    found
}
