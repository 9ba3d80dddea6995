//! The task lifecycle (DESIGN.md): commit freezes the pools and the secret,
//! draw takes the public entropy and seals the result, reveal publishes
//! everything needed to recompute it, abandon ends a task with a reason.
//!
//! Each transition writes its state, its files, its selection and its log
//! entry in one transaction, guarded by the state it leaves: a retried or
//! concurrent request finds the state moved on and changes nothing.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::drand_relays::DrandRelays;
use super::freezing::CommitInputs;
use super::tasks::{TaskView, definition_of, not_in_state};
use super::{Service, ServiceError, ServiceResult, damaged};
use crate::domain::account::User;
use crate::domain::task::TaskState;
use crate::domain::task_definition::EntropyTiming;
use crate::protocol::beacon::{self, BEACON_FILE, BeaconCommitment, BeaconError, BeaconFile, QUICKNET};
use crate::protocol::commitment::{COMMITMENT_FILE, Commitment, REVEAL_FILE};
use crate::protocol::draw::{assign_drawn, check_pool_size};
use crate::protocol::field::Entropy;
use crate::protocol::log::kind;
use crate::protocol::manifest::{INSPECTORS_FILE, RECUSALS_FILE};
use crate::protocol::parameters::PARAMETERS_FILE;
use crate::protocol::replace::REPLACEMENTS_FILE;
use crate::protocol::result::RESULT_FILE;
use crate::protocol::stream::DrawStream;
use crate::protocol::{
    DrawInputs, InputError, InspectorManifest, Parameters, RecusalManifest, Reveal, Secret, Seed,
};
use crate::storage::bulk::Native;
use crate::storage::tasks::{self, AssignedInspector, Drawn, DrawnTarget};
use crate::storage::{WriteTx, files, log};

/// A draw's answer: the task as drawn, and whether this call drew it.
pub(super) struct Draw {
    pub view: TaskView,
    pub drawn_now: bool,
}

/// The reason an abandonment needs, at most this long.
const MAX_REASON: usize = 2000;

impl Service {
    /// Freezes the pools into manifests, draws the secret and logs the
    /// commitment. Nothing about the task can change afterwards.
    pub async fn commit_task(&self, user: &User, id: i64) -> ServiceResult<TaskView> {
        let task = self.task_row(user, id).await?;
        if task.state != TaskState::Draft {
            return Err(not_in_state(id, &task.state, "committed", TaskState::Draft));
        }
        let started = std::time::Instant::now();
        let inputs = self.commit_inputs(&task).await?;
        let CommitInputs { checked, inspectors, recusals, .. } = &inputs;
        // Checked here to refuse early, and again against the time the
        // commitment is logged at, which comes after waiting for the writer.
        if let EntropyTiming::At(event) = &checked.entropy_event {
            refuse_past_event(event, self.now())?;
        }
        let plan_quotas = self.plan_quotas(&task.department, &inputs.definition).await?;

        let mut tx = self.begin_action().await?;
        let at = self.now();
        // A drand task's round is fixed now, from the time the commitment is
        // logged at: the first round at least the margin later (§3.6).
        let (entropy_event, beacon) = match &checked.entropy_event {
            EntropyTiming::At(event) => {
                refuse_past_event(event, at)?;
                (event.clone(), None)
            }
            EntropyTiming::DrandRound { margin_seconds } => {
                let round = QUICKNET.round_after(at.timestamp_millis(), *margin_seconds);
                (QUICKNET.round_event(round), Some(BeaconCommitment { chain: QUICKNET.hash_digest(), round }))
            }
        };
        let (targets, parameters) = self.freeze_targets(&mut tx, id, &task, &inputs).await?;
        let frozen = started.elapsed();
        let secret = new_secret()?;
        let commitment = Commitment {
            parameters: parameters.digest(),
            targets: targets.digest,
            inspectors: inspectors.digest(),
            recusals: recusals.digest(),
            secret_hash: secret.hash(),
            entropy_format: checked.entropy_format,
            entropy_source: checked.entropy_source.clone(),
            entropy_event: Some(entropy_event.clone()),
            beacon,
        };
        let digest = commitment.digest();
        if !tasks::mark_committed(tx.conn(), id, targets.count as i64, &digest.to_hex(), &secret.to_hex())
            .await?
        {
            let current =
                tasks::get_in(tx.conn(), id).await?.map(|t| t.state.to_string()).unwrap_or_default();
            return Err(not_in_state(id, &current, "committed", TaskState::Draft));
        }
        let parameters_text = parameters.to_text();
        files::store(tx.conn(), id, PARAMETERS_FILE, files::split(&parameters_text)).await?;
        files::store(tx.conn(), id, INSPECTORS_FILE, files::split(inspectors.text())).await?;
        files::store(tx.conn(), id, RECUSALS_FILE, files::split(recusals.text())).await?;
        files::store(tx.conn(), id, COMMITMENT_FILE, files::split(&commitment.to_text())).await?;
        let mut payload = json!({
            "task": id,
            "commitment": digest,
            "protocol": crate::protocol::PROTOCOL_VERSION,
            "parameters": commitment.parameters,
            "targets": commitment.targets,
            "inspectors": commitment.inspectors,
            "recusals": commitment.recusals,
            "secret_hash": commitment.secret_hash,
            "entropy_format": commitment.entropy_format.as_str(),
            "entropy_source": commitment.entropy_source,
            "entropy_event": entropy_event.as_str(),
            "pool_size": targets.count,
        });
        if let Some(beacon) = &beacon {
            payload["drand_chain"] = json!(beacon.chain);
            payload["drand_round"] = json!(beacon.round);
        }
        if let Some(quotas) = plan_quotas {
            let plan = quotas.at_commit(&inputs.definition, &targets, &parameters);
            payload["plan"] = serde_json::to_value(plan).expect("plans serialise");
        }
        log::append(tx.conn(), at, kind::COMMITTED, Some(id), &user.name, &payload).await?;
        let view = self.reread(&mut tx, id).await?;
        tx.commit_answering(&view).await?;
        tracing::info!(task = id, pool = targets.count, ?frozen, total = ?started.elapsed(), "committed");
        self.index_pools_later();
        Ok(view)
    }

    /// Takes the public entropy, draws, and seals the result: its digest goes
    /// into the log now, the result itself is published at the reveal.
    pub async fn draw_task(&self, user: &User, id: i64, entropy: &str) -> ServiceResult<TaskView> {
        self.draw_with(user, id, entropy, None).await
    }

    /// Draws a task committed to a drand round with that round as a relay
    /// serves it (`/{chain}/public/{round}`): the round must be the
    /// committed one and its signature valid under the chain's key; its
    /// randomness is the entropy. A refused round changes nothing.
    pub async fn draw_task_with_drand(
        &self,
        user: &User,
        id: i64,
        round: &DrandRoundInput,
    ) -> ServiceResult<TaskView> {
        let task = self.task_row(user, id).await?;
        let (_, committed) = self.committed_beacon(id, "drand").await?;
        let file = check_drand_input(&committed, round)?;
        let entropy = beacon::entropy(&file.round.signature);
        drop(task);
        self.draw_with(user, id, entropy.as_str(), Some(file)).await
    }

    /// The commitment of a task that committed to a drand round, and that
    /// round; refused, naming `field`, for a task of another entropy format.
    pub(super) async fn committed_beacon(
        &self,
        id: i64,
        field: &str,
    ) -> ServiceResult<(Commitment, BeaconCommitment)> {
        let commitment = self.stored_commitment(id).await?;
        let Some(committed) = commitment.beacon else {
            return Err(ServiceError::invalid(
                "drand_not_committed",
                Some(field.into()),
                format!(
                    "task {id} committed to entropy of format '{}', not a drand round; send the entropy",
                    commitment.entropy_format.as_str()
                ),
            ));
        };
        Ok((commitment, committed))
    }

    /// Draws a task committed to a drand round with that round fetched from
    /// the configured relays, in order: the first answer that passes the
    /// same checks as a pasted round is taken; a relay that is down or
    /// answers another round or a bad signature is passed over.
    pub async fn draw_task_fetching_drand(&self, user: &User, id: i64) -> ServiceResult<TaskView> {
        let task = self.task_row(user, id).await?;
        let (commitment, committed) = self.committed_beacon(id, "fetch_drand").await?;
        let Some(relays) = self.drand_relays.clone() else {
            return Err(ServiceError::conflict(
                "drand_relays_not_configured",
                "this server has no drand relay to fetch from (--drand-url); paste the round as `drand` instead",
            ));
        };
        if task.state == TaskState::Committed
            && let Some(event) = &commitment.entropy_event
            && self.now().timestamp_millis() < event.instant()
        {
            return Err(ServiceError::conflict(
                "entropy_not_yet",
                format!(
                    "task {id} committed to drand round {} at {event}; draw after that time",
                    committed.round
                ),
            ));
        }
        drop(task);
        let file = self.fetch_committed_round(id, &relays, &committed).await?;
        let entropy = beacon::entropy(&file.round.signature);
        self.draw_with(user, id, entropy.as_str(), Some(file)).await
    }

    /// The committed round from the first relay whose answer passes the
    /// same checks as a pasted round; a relay that is down or answers
    /// another round or a bad signature is passed over and logged.
    pub(super) async fn fetch_committed_round(
        &self,
        id: i64,
        relays: &DrandRelays,
        committed: &BeaconCommitment,
    ) -> ServiceResult<BeaconFile> {
        let mut refusals = Vec::new();
        for (relay, answer) in relays.candidates(&committed.chain, committed.round).await {
            match answer.and_then(|round| check_drand_input(committed, &round).map_err(|e| e.to_string())) {
                Ok(file) => return Ok(file),
                Err(reason) => {
                    tracing::warn!(task = id, relay, reason, "a drand relay gave no valid round");
                    refusals.push(format!("{relay}: {reason}"));
                }
            }
        }
        Err(ServiceError::conflict(
            "drand_round_unavailable",
            format!(
                "no relay gave a valid drand round {} ({}); nothing was drawn",
                committed.round,
                refusals.join("; ")
            ),
        ))
    }

    async fn draw_with(
        &self,
        user: &User,
        id: i64,
        entropy: &str,
        beacon_file: Option<BeaconFile>,
    ) -> ServiceResult<TaskView> {
        let task = self.task_row(user, id).await?;
        Ok(self.draw_as(task, &user.name, entropy, beacon_file).await?.view)
    }

    /// Draws `task` as `actor` (a supervisor, or `system` when a drand
    /// round is due). Whether this call drew it or found the same draw made
    /// (a retry, or another server first) is in the answer.
    pub(super) async fn draw_as(
        &self,
        task: tasks::TaskRow,
        actor: &str,
        entropy: &str,
        beacon_file: Option<BeaconFile>,
    ) -> ServiceResult<Draw> {
        let id = task.id;
        if task.state != TaskState::Committed {
            if task.state == TaskState::Drawn && task.entropy.as_deref() == Some(entropy) {
                // The same draw asked again (a retry): the answer is the draw made.
                return Ok(Draw { view: self.view_of(task).await?, drawn_now: false });
            }
            return Err(not_in_state(id, &task.state, "drawn", TaskState::Committed));
        }
        let definition = definition_of(&task)?;
        let started = std::time::Instant::now();
        let commitment = self.stored_commitment(id).await?;
        if let Some(committed) = &commitment.beacon
            && beacon_file.is_none()
        {
            return Err(ServiceError::invalid(
                "drand_round_required",
                Some("entropy".into()),
                format!(
                    "task {id} committed to drand round {} of quicknet; send that round as its relays serve it: {{\"drand\": {{\"round\": {}, \"signature\": \"…\"}}}}",
                    committed.round, committed.round
                ),
            ));
        }
        if let Some(event) = &commitment.entropy_event
            && self.now().timestamp_millis() < event.instant()
        {
            return Err(ServiceError::conflict(
                "entropy_not_yet",
                format!(
                    "task {id} committed to entropy that comes into being at {event}; draw after that time"
                ),
            ));
        }
        let entropy = Entropy::parse(entropy).map_err(|e| {
            ServiceError::invalid("invalid_entropy", Some("entropy".into()), format!("the entropy {e}"))
        })?;
        commitment
            .entropy_format
            .check(&entropy)
            .map_err(|reason| ServiceError::invalid("invalid_entropy", Some("entropy".into()), reason))?;
        let length = entropy.as_str().chars().count();
        if (length as u64) < u64::from(definition.entropy.min_length) {
            return Err(ServiceError::invalid(
                "entropy_too_short",
                Some("entropy".into()),
                format!(
                    "the entropy has {length} characters; this task needs at least {}",
                    definition.entropy.min_length
                ),
            ));
        }
        let secret = Secret::parse_hex(task.secret.as_deref().unwrap_or_default())
            .map_err(|e| damaged(format!("secret: {e}")))?;
        let digest = commitment.digest();
        if task.commitment_digest.as_deref() != Some(digest.to_hex().as_str())
            || commitment.secret_hash != secret.hash()
        {
            return Err(damaged(format!("task {id}: the stored files no longer match its commitment")));
        }
        let parameters =
            Parameters::parse(&self.committed_file(id, PARAMETERS_FILE).await?).map_err(damaged)?;
        let inspectors =
            InspectorManifest::parse(self.committed_file(id, INSPECTORS_FILE).await?).map_err(damaged)?;
        let recusals =
            RecusalManifest::parse(self.committed_file(id, RECUSALS_FILE).await?).map_err(damaged)?;
        let seed = Seed::derive(&digest, &secret, &entropy);
        check_pool_size(inspectors.len() as u64)
            .map_err(|size| input_error(InputError::TooManyInspectors(size)))?;
        let mut stream = DrawStream::new(seed.bytes());
        let mut conn = self.store().pool().acquire().await.map_err(crate::storage::StoreError::from)?;
        let native = Native::of(self.store());
        let drawn = self
            .draw_committed_targets(
                &mut conn,
                Some(&native),
                id,
                commitment.targets,
                &parameters,
                &mut stream,
            )
            .await?;
        drop(conn);
        let loaded = started.elapsed();
        let draw = DrawInputs {
            parameters: &parameters,
            targets: &drawn.manifest,
            inspectors: &inspectors,
            recusals: &recusals,
        };
        let result = assign_drawn(&draw, digest, drawn.outcomes, &drawn.selected, &mut stream);
        let computed = started.elapsed();
        let result_text = result.to_text();
        let result_digest = crate::protocol::Digest::of_file(&result_text);
        let status = if result.failure.is_some() { "failed" } else { "complete" };
        let drawn_targets: Vec<DrawnTarget<'_>> = result
            .targets
            .iter()
            .enumerate()
            .map(|(index, target)| DrawnTarget {
                position: index as i64 + 1,
                target: target.id.as_str(),
                stratum: result.strata[target.stratum].key.as_str(),
            })
            .collect();
        let assigned: Vec<AssignedInspector<'_>> = result
            .assignments
            .iter()
            .flat_map(|assignment| {
                assignment.inspectors.iter().enumerate().map(|(seq, inspector)| AssignedInspector {
                    target: assignment.target.as_str(),
                    department: assignment.department.as_str(),
                    inspector: inspector.as_str(),
                    seq: seq as i64,
                })
            })
            .collect();

        let mut tx = self.begin_action().await?;
        let drawn = Drawn {
            result_digest: &result_digest.to_hex(),
            status,
            entropy: entropy.as_str(),
            seed: &seed.0.to_hex(),
            drawn_count: result.targets.len() as i64,
        };
        if !tasks::mark_drawn(tx.conn(), id, &drawn).await? {
            let current = tasks::get_in(tx.conn(), id).await?;
            if let Some(current) = current
                .filter(|t| t.state == TaskState::Drawn && t.entropy.as_deref() == Some(entropy.as_str()))
            {
                return Ok(Draw { view: self.view_of(current).await?, drawn_now: false });
            }
            return Err(ServiceError::conflict(
                "invalid_state",
                format!("task {id} was drawn or changed by another request meanwhile"),
            ));
        }
        files::store(tx.conn(), id, RESULT_FILE, files::split(&result_text)).await?;
        if let Some(file) = &beacon_file {
            files::store(tx.conn(), id, BEACON_FILE, files::split(&file.to_text())).await?;
        }
        tasks::insert_selection(&mut tx, id, &drawn_targets, &assigned).await?;
        let mut payload = json!({
            "task": id,
            "commitment": digest,
            "entropy": entropy,
            "result": result_digest,
            "status": status,
            "drawn": result.targets.len(),
        });
        if let Some(file) = &beacon_file {
            payload["drand_round"] = json!(file.round.round);
            payload["drand_signature"] = json!(hex::encode(file.round.signature));
        }
        log::append(tx.conn(), self.now(), kind::DRAWN, Some(id), actor, &payload).await?;
        let view = self.reread(&mut tx, id).await?;
        tx.commit_answering(&view).await?;
        tracing::info!(task = id, actor, status, ?loaded, ?computed, total = ?started.elapsed(), "drawn");
        Ok(Draw { view, drawn_now: true })
    }

    /// Publishes the secret, the entropy and the result. Before the task's
    /// embargo date only with `early` (the supervisor releases it).
    pub async fn reveal_task(&self, user: &User, id: i64, early: bool) -> ServiceResult<TaskView> {
        let task = self.task_row(user, id).await?;
        self.reveal(&task, &user.name, early).await
    }

    /// Reveals a drawn task as `actor` (a supervisor, or `system` at the
    /// embargo date).
    pub(super) async fn reveal(
        &self,
        task: &tasks::TaskRow,
        actor: &str,
        early: bool,
    ) -> ServiceResult<TaskView> {
        let id = task.id;
        if task.state != TaskState::Drawn {
            return Err(not_in_state(id, &task.state, "revealed", TaskState::Drawn));
        }
        let definition = definition_of(task)?;
        if let Some(embargo) = definition.embargo_until.as_deref()
            && !early
            && self.today().to_string().as_str() < embargo
        {
            return Err(ServiceError::conflict(
                "embargoed",
                format!("task {id} is sealed until {embargo}; release it early explicitly to reveal it now"),
            ));
        }
        let reveal = reveal_of(task)?;
        let mut tx = self.begin_action().await?;
        if !tasks::mark_revealed(tx.conn(), id).await? {
            return Err(ServiceError::conflict(
                "invalid_state",
                format!("task {id} was revealed or changed by another request meanwhile"),
            ));
        }
        let mut payload = json!({"task": id});
        publish_draw(&mut tx, task, &reveal, &mut payload).await?;
        log::append(tx.conn(), self.now(), kind::REVEALED, Some(id), actor, &payload).await?;
        let view = self.reread(&mut tx, id).await?;
        tx.commit_answering(&view).await?;
        Ok(view)
    }

    /// Reveals every drawn task whose embargo date has come.
    pub async fn reveal_due(&self) -> ServiceResult<Vec<i64>> {
        let mut revealed = Vec::new();
        for id in tasks::ids_in(self.store().pool(), &[TaskState::Drawn]).await? {
            let Some(task) = tasks::get(self.store().pool(), id).await? else { continue };
            let today = self.today().to_string();
            let due = definition_of(&task)?.embargo_until.is_some_and(|embargo| embargo <= today);
            if due && self.reveal(&task, "system", false).await.is_ok() {
                revealed.push(id);
            }
        }
        Ok(revealed)
    }

    /// Ends a task that is not yet revealed; the reason stays in the log.
    pub async fn abandon_task(&self, user: &User, id: i64, reason: &str) -> ServiceResult<TaskView> {
        let task = self.task_row(user, id).await?;
        let reason = reason.trim();
        if reason.is_empty() || reason.len() > MAX_REASON {
            return Err(ServiceError::invalid(
                "invalid_reason",
                Some("reason".into()),
                format!("give a reason of 1 to {MAX_REASON} bytes"),
            ));
        }
        if ![TaskState::Draft, TaskState::Committed, TaskState::Drawn].contains(&task.state) {
            return Err(not_in_state(id, &task.state, "abandoned", "draft, committed or drawn"));
        }
        // A drawn task's result exists and is in the log; abandoning it
        // publishes what a reveal would, at once, so that nobody can discard
        // a result unseen and draw again (PROTOCOL.md §4, "Abandoned draws").
        let reveal = if task.state == TaskState::Drawn { Some(reveal_of(&task)?) } else { None };
        let mut tx = self.begin_action().await?;
        if !tasks::mark_abandoned(tx.conn(), id, task.state, reason).await? {
            return Err(ServiceError::conflict(
                "invalid_state",
                format!("task {id} changed meanwhile; look at it again"),
            ));
        }
        let mut payload = json!({"task": id, "reason": reason, "from": task.state});
        if task.state == TaskState::Committed {
            // Its secret is published too: once the public entropy exists,
            // whoever holds the secret knows the draw, and could otherwise
            // abandon a task whose coming result it dislikes and commit again
            // unseen. With the secret public, anyone can compute what the draw
            // would have been (PROTOCOL.md §4, "Abandoned tasks").
            payload["secret"] = json!(task.secret);
        }
        if let Some(reveal) = &reveal {
            publish_draw(&mut tx, &task, reveal, &mut payload).await?;
            let mut published = vec![REVEAL_FILE, RESULT_FILE];
            if files::exists(tx.conn(), id, REPLACEMENTS_FILE).await? {
                published.push(REPLACEMENTS_FILE);
            }
            published.push(crate::files::bundle::BUNDLE_FILE);
            payload["published"] = json!(published);
        }
        log::append(tx.conn(), self.now(), kind::ABANDONED, Some(id), &user.name, &payload).await?;
        let view = self.reread(&mut tx, id).await?;
        tx.commit_answering(&view).await?;
        Ok(view)
    }
}

/// What the reveal of a drawn task publishes: its commitment, secret,
/// entropy and the seed they give.
/// Publishes a drawn task's draw, at its reveal or its abandonment: stores
/// `reveal.tsv` and adds to the log entry's payload what a reveal states
/// (PROTOCOL.md §15.2).
async fn publish_draw(
    tx: &mut WriteTx,
    task: &tasks::TaskRow,
    reveal: &Reveal,
    payload: &mut serde_json::Value,
) -> ServiceResult<()> {
    files::store(tx.conn(), task.id, REVEAL_FILE, files::split(&reveal.to_text())).await?;
    payload["commitment"] = json!(reveal.commitment);
    payload["secret"] = json!(reveal.secret.to_hex());
    payload["entropy"] = json!(reveal.entropy);
    payload["seed"] = json!(reveal.seed);
    payload["result"] = json!(task.result_digest);
    Ok(())
}

fn reveal_of(task: &tasks::TaskRow) -> ServiceResult<Reveal> {
    let commitment =
        crate::protocol::Digest::parse_hex(task.commitment_digest.as_deref().unwrap_or_default())
            .map_err(|e| damaged(format!("commitment: {e}")))?;
    let secret = Secret::parse_hex(task.secret.as_deref().unwrap_or_default())
        .map_err(|e| damaged(format!("secret: {e}")))?;
    let entropy = Entropy::parse(task.entropy.as_deref().unwrap_or_default())
        .map_err(|e| damaged(format!("entropy: {e}")))?;
    Ok(Reveal::new(commitment, secret, entropy))
}

fn new_secret() -> ServiceResult<Secret> {
    Ok(Secret::from_bytes(super::os_random::<32>()?))
}

pub(super) fn input_error(error: InputError) -> ServiceError {
    let field = match error {
        InputError::StratumWithoutQuota(_) => "quota_by_stratum",
        _ => "filter",
    };
    ServiceError::invalid("invalid_pool", Some(field.into()), error.to_string())
}

/// A commitment to entropy that may already be known is refused: its event
/// must come after the time the commitment is made at.
/// A drand round as a supervisor pastes it from a relay's
/// `/{chain}/public/{round}` answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrandRoundInput {
    /// The round number.
    pub round: u64,
    /// The round's BLS signature, 96 lowercase hex digits.
    pub signature: String,
    /// The relay's randomness; when given, it must be SHA-256 of the
    /// signature (it is recomputed, never trusted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub randomness: Option<String>,
    /// The chain hash, when the round is pasted with it; it must be the
    /// committed chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// What older relays send beside an unchained round; ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_signature: Option<String>,
}

/// Checks a pasted round against the committed chain and round; each
/// refusal names the field it is about.
fn check_drand_input(committed: &BeaconCommitment, input: &DrandRoundInput) -> ServiceResult<BeaconFile> {
    if let Some(chain) = &input.chain
        && *chain != committed.chain.to_hex()
    {
        return refused(
            "drand_chain_mismatch",
            "chain",
            format!("the round is of chain {chain:.80}; the task committed to chain {}", committed.chain),
        );
    }
    let signature = match beacon::parse_signature(&input.signature) {
        Ok(signature) => signature,
        Err(error) => return refused("invalid_drand_signature", "signature", error.to_string()),
    };
    let round = beacon::Round { round: input.round, signature };
    if let Err(error) = beacon::check_round(committed, &round) {
        let code = match error {
            BeaconError::OtherRound { .. } => "drand_round_mismatch",
            BeaconError::BadSignature { .. } => "drand_signature_invalid",
            _ => "drand_chain_mismatch",
        };
        return refused(code, error.field(), error.to_string());
    }
    let randomness = beacon::randomness(&signature).to_hex();
    if let Some(stated) = &input.randomness
        && *stated != randomness
    {
        return refused(
            "drand_randomness_mismatch",
            "randomness",
            format!("the randomness {stated:.80} is not SHA-256 of the signature, {randomness}"),
        );
    }
    Ok(BeaconFile { chain: committed.chain, round })
}

/// A pasted round refused, naming its field under `drand`.
fn refused(code: &'static str, field: &str, message: String) -> ServiceResult<BeaconFile> {
    Err(ServiceError::invalid(code, Some(format!("drand.{field}")), message))
}

fn refuse_past_event(event: &crate::protocol::EventTime, at: DateTime<Utc>) -> ServiceResult<()> {
    if event.instant() <= at.timestamp_millis() {
        return Err(ServiceError::invalid(
            "entropy_event_past",
            Some("entropy.event_at".into()),
            format!(
                "the entropy event {event} is not in the future: entropy that may already be known cannot be committed to; name a later time"
            ),
        ));
    }
    Ok(())
}
