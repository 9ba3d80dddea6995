//! The task's rules as a canonical document (PROTOCOL.md §2.5).

use std::collections::BTreeMap;
use std::fmt;

use super::date::Date;
use super::digest::Digest;
use super::field::{Department, ItemCode, StratumKey, TaskId};
use super::tsv::{self, ParseError};

pub const PARAMETERS_FILE: &str = "parameters.tsv";
const MAGIC: &str = "opendraw-parameters\t1";

/// A ratio in basis points (1/10 000), 0 to 10 000: exact, never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BasisPoints(u16);

impl BasisPoints {
    pub const FULL: u32 = 10_000;

    pub fn new(value: u32) -> Result<Self, String> {
        if value > Self::FULL {
            return Err(format!("{value} basis points is more than 100 %"));
        }
        Ok(Self(value as u16))
    }

    /// Parses a percentage such as `3%`, `2.5%` or `0.25%` exactly.
    pub fn parse_percent(text: &str) -> Result<Self, String> {
        let invalid = || format!("'{text}' is not a percentage such as 3%, 2.5% or 0.25%");
        let number = text.strip_suffix('%').ok_or_else(invalid)?.trim_end();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 3 || !digits(whole) || !digits(fraction) {
            return Err(invalid());
        }
        if fraction.len() > 2 {
            return Err(format!("'{text}' is finer than 0.01 %, the smallest step (one basis point)"));
        }
        let whole: u32 = whole.parse().map_err(|_| invalid())?;
        let fraction: u32 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        let value = whole * 100 + fraction;
        if value > Self::FULL {
            return Err(format!("'{text}' is more than 100 %"));
        }
        Ok(Self(value as u16))
    }

    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

impl fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => write!(f, "{whole}%"),
            f2 if f2 % 10 == 0 => write!(f, "{whole}.{}%", f2 / 10),
            f2 => write!(f, "{whole}.{f2:02}%"),
        }
    }
}

/// How many targets a stratum contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// `ceil(ratio × pool)`, computed in integers.
    Ratio(BasisPoints),
    /// A fixed number, capped at the pool.
    Count(u32),
}

impl Quota {
    /// The number of targets to draw from a stratum of `pool` targets.
    pub fn of(self, pool: u32) -> u32 {
        match self {
            Quota::Ratio(ratio) => {
                let scaled = u64::from(ratio.get()) * u64::from(pool);
                scaled.div_ceil(u64::from(BasisPoints::FULL)) as u32
            }
            Quota::Count(count) => count.min(pool),
        }
    }

    fn fields(self) -> [String; 2] {
        match self {
            Quota::Ratio(ratio) => ["ratio".into(), ratio.get().to_string()],
            Quota::Count(count) => ["count".into(), count.to_string()],
        }
    }

    fn parse(kind: &str, value: &str) -> Result<Self, String> {
        let number = tsv::parse_count(value)?;
        match kind {
            "ratio" => BasisPoints::new(u32::try_from(number).unwrap_or(u32::MAX)).map(Quota::Ratio),
            "count" => u32::try_from(number)
                .map(Quota::Count)
                .map_err(|_| format!("a count of {number} is 2^32 or more")),
            other => Err(format!("'{other}' is neither 'ratio' nor 'count'")),
        }
    }
}

/// Inspectors per target and department: at least two by statute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InspectorsPerTarget(u32);

impl InspectorsPerTarget {
    pub const MIN: u32 = 2;
    pub const MAX: u32 = 100;

    pub fn new(value: u32) -> Result<Self, String> {
        if value < Self::MIN {
            return Err(format!("{value} inspectors per target is fewer than the statutory minimum of 2"));
        }
        if value > Self::MAX {
            return Err(format!("{value} inspectors per target is more than {}", Self::MAX));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Which of the target's attributes an inspector must not share (交叉互查).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CrossRule {
    pub region: bool,
    pub unit: bool,
}

impl CrossRule {
    fn as_str(self) -> &'static str {
        match (self.region, self.unit) {
            (false, false) => "none",
            (true, false) => "region",
            (false, true) => "unit",
            (true, true) => "region,unit",
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        Ok(match text {
            "none" => Self { region: false, unit: false },
            "region" => Self { region: true, unit: false },
            "unit" => Self { region: false, unit: true },
            "region,unit" => Self { region: true, unit: true },
            other => {
                return Err(format!("'{other}' is not one of none, region, unit, region,unit"));
            }
        })
    }
}

/// How many times one target may be drawn for an item in a calendar year,
/// counting the draws of the department's earlier tasks (§2.5, §17). It
/// shaped the pool before the draw; the draw itself does not read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrequencyCap {
    times: u32,
    year: u32,
}

impl FrequencyCap {
    /// The most draws a cap may allow: one a working day and more is no cap.
    pub const MAX_TIMES: u32 = 250;

    pub fn new(times: u32, year: u32) -> Result<Self, String> {
        Self::check_times(times)?;
        if !(1000..=9999).contains(&year) {
            return Err(format!("{year} is not a year of four digits"));
        }
        Ok(Self { times, year })
    }

    /// A cap of 0 would keep out every target ever drawn, and one above
    /// [`Self::MAX_TIMES`] keeps out none: both are mistakes.
    pub fn check_times(times: u32) -> Result<u32, String> {
        if times == 0 || times > Self::MAX_TIMES {
            return Err(format!("a cap of {times} draws a year is not 1 to {}", Self::MAX_TIMES));
        }
        Ok(times)
    }

    /// At most this many draws of one target for the item in the year.
    pub fn times(self) -> u32 {
        self.times
    }

    /// The calendar year whose draws count: the year of the commit.
    pub fn year(self) -> u32 {
        self.year
    }

    fn parse(times: &str, year: &str) -> Result<Self, String> {
        let times = tsv::parse_count(times)?;
        let year = tsv::parse_count(year)?;
        Self::new(u32::try_from(times).unwrap_or(u32::MAX), u32::try_from(year).unwrap_or(u32::MAX))
    }
}

/// A task's draw rules. Lists are kept sorted and free of repeats, so the
/// canonical text follows from the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameters {
    pub task: TaskId,
    items: Vec<ItemCode>,
    pub certificate_date: Date,
    pub inspectors_per_target: InspectorsPerTarget,
    pub cross: CrossRule,
    pub balance: bool,
    departments: Vec<Department>,
    pub default_quota: Option<Quota>,
    pub stratum_quotas: BTreeMap<StratumKey, Quota>,
    /// Caps of some of the task's items; none for most tasks, whose file
    /// then has no `frequency-cap` line at all.
    frequency_caps: BTreeMap<ItemCode, FrequencyCap>,
}

impl Parameters {
    /// Fails when there is no item or no department: a task needs both.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        task: TaskId,
        mut items: Vec<ItemCode>,
        certificate_date: Date,
        inspectors_per_target: InspectorsPerTarget,
        cross: CrossRule,
        balance: bool,
        mut departments: Vec<Department>,
        default_quota: Option<Quota>,
        stratum_quotas: BTreeMap<StratumKey, Quota>,
    ) -> Result<Self, String> {
        items.sort();
        items.dedup();
        departments.sort();
        departments.dedup();
        if items.is_empty() {
            return Err("a task needs at least one inspection item".into());
        }
        if departments.is_empty() {
            return Err("a task needs at least one department".into());
        }
        Ok(Self {
            task,
            items,
            certificate_date,
            inspectors_per_target,
            cross,
            balance,
            departments,
            default_quota,
            stratum_quotas,
            frequency_caps: BTreeMap::new(),
        })
    }

    /// These parameters with frequency caps; each capped item must be one
    /// of the task's.
    pub fn with_frequency_caps(mut self, caps: BTreeMap<ItemCode, FrequencyCap>) -> Result<Self, String> {
        if let Some(item) = caps.keys().find(|item| !self.items.contains(item)) {
            return Err(format!("item {item} has a frequency cap but is not one of the task's items"));
        }
        self.frequency_caps = caps;
        Ok(self)
    }

    /// The capped items, bytewise sorted, with their caps.
    pub fn frequency_caps(&self) -> &BTreeMap<ItemCode, FrequencyCap> {
        &self.frequency_caps
    }

    /// Item codes, bytewise sorted.
    pub fn items(&self) -> &[ItemCode] {
        &self.items
    }

    /// Departments, bytewise sorted: the order in which they draw.
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    /// The quota rule for a stratum: its own, else the default.
    pub fn quota_for(&self, stratum: &StratumKey) -> Option<Quota> {
        self.stratum_quotas.get(stratum).copied().or(self.default_quota)
    }

    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        tsv::push_record(&mut out, &[MAGIC]);
        tsv::push_record(&mut out, &["task", self.task.as_str()]);
        for item in &self.items {
            tsv::push_record(&mut out, &["item", item.as_str()]);
        }
        tsv::push_record(&mut out, &["certificate-date", &self.certificate_date.to_string()]);
        let per_target = self.inspectors_per_target.get().to_string();
        tsv::push_record(&mut out, &["inspectors-per-target", &per_target]);
        tsv::push_record(&mut out, &["cross", self.cross.as_str()]);
        tsv::push_record(&mut out, &["balance", if self.balance { "yes" } else { "no" }]);
        for department in &self.departments {
            tsv::push_record(&mut out, &["department", department.as_str()]);
        }
        match self.default_quota {
            None => tsv::push_record(&mut out, &["default-quota", "none"]),
            Some(quota) => {
                let [kind, value] = quota.fields();
                tsv::push_record(&mut out, &["default-quota", &kind, &value]);
            }
        }
        for (key, quota) in &self.stratum_quotas {
            let [kind, value] = quota.fields();
            tsv::push_record(&mut out, &["stratum-quota", key.as_str(), &kind, &value]);
        }
        for (item, cap) in &self.frequency_caps {
            let (times, year) = (cap.times().to_string(), cap.year().to_string());
            tsv::push_record(&mut out, &["frequency-cap", item.as_str(), &times, &year]);
        }
        out
    }

    pub fn digest(&self) -> Digest {
        Digest::of_file(&self.to_text())
    }

    /// Reads a published parameters file, refusing anything but its
    /// canonical form.
    pub fn parse(text: &[u8]) -> Result<Self, ParseError> {
        let mut reader = Reader { lines: tsv::lines(PARAMETERS_FILE, text)?.peekable(), last: 0 };
        reader.expect_magic()?;
        let task = reader.one("task", TaskId::parse)?;
        let items = reader.repeated("item", ItemCode::parse)?;
        let certificate_date = reader.one("certificate-date", Date::parse)?;
        let inspectors_per_target = reader.one("inspectors-per-target", |text| {
            let number = tsv::parse_count(text)?;
            InspectorsPerTarget::new(u32::try_from(number).unwrap_or(u32::MAX))
        })?;
        let cross = reader.one("cross", CrossRule::parse)?;
        let balance = reader.one("balance", |text| match text {
            "yes" => Ok(true),
            "no" => Ok(false),
            other => Err(format!("'{other}' is neither 'yes' nor 'no'")),
        })?;
        let departments = reader.repeated("department", Department::parse)?;
        let default_quota = reader.default_quota()?;
        let stratum_quotas = reader.stratum_quotas()?;
        let frequency_caps = reader.frequency_caps()?;
        if let Some((number, _)) = reader.lines.next() {
            return Err(ParseError::line(PARAMETERS_FILE, number, "is not a parameters line in its place"));
        }
        let parameters = Parameters::new(
            task,
            items,
            certificate_date,
            inspectors_per_target,
            cross,
            balance,
            departments,
            default_quota,
            stratum_quotas,
        )
        .and_then(|parameters| parameters.with_frequency_caps(frequency_caps))
        .map_err(|reason| ParseError::file(PARAMETERS_FILE, reason))?;
        // Every rule above keeps one spelling per value; this catches what
        // they might have missed.
        if parameters.to_text() != text {
            return Err(ParseError::file(PARAMETERS_FILE, "is not in canonical form"));
        }
        Ok(parameters)
    }
}

struct Reader<'a, I: Iterator<Item = (usize, &'a str)>> {
    lines: std::iter::Peekable<I>,
    last: usize,
}

impl<'a, I: Iterator<Item = (usize, &'a str)>> Reader<'a, I> {
    fn expect_magic(&mut self) -> Result<(), ParseError> {
        match self.lines.next() {
            Some((1, MAGIC)) => {
                self.last = 1;
                Ok(())
            }
            _ => Err(ParseError::line(PARAMETERS_FILE, 1, "must be 'opendraw-parameters<TAB>1'")),
        }
    }

    /// The next line if it is of this kind: its number and fields after the key.
    fn next_of(&mut self, key: &str) -> Option<(usize, Vec<&'a str>)> {
        let &(number, line) = self.lines.peek()?;
        let mut fields = line.split('\t');
        if fields.next() != Some(key) {
            return None;
        }
        self.lines.next();
        self.last = number;
        Some((number, fields.collect()))
    }

    fn missing(&self, key: &str) -> ParseError {
        ParseError::line(PARAMETERS_FILE, self.last + 1, format!("a '{key}' line is expected here"))
    }

    fn one<T, E: fmt::Display>(
        &mut self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<T, ParseError> {
        let (number, fields) = self.next_of(key).ok_or_else(|| self.missing(key))?;
        let [value] = fields[..] else {
            return Err(ParseError::line(PARAMETERS_FILE, number, format!("'{key}' takes one value")));
        };
        parse(value).map_err(|error| ParseError::field(PARAMETERS_FILE, number, key, error))
    }

    /// One or more lines of a kind, values bytewise increasing.
    fn repeated<T: Ord, E: fmt::Display>(
        &mut self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Vec<T>, ParseError> {
        let mut values: Vec<T> = vec![self.one(key, &parse)?];
        while self.lines.peek().is_some_and(|(_, line)| line.split('\t').next() == Some(key)) {
            let value = self.one(key, &parse)?;
            if values.last().is_some_and(|last| *last >= value) {
                let reason = "values must be in bytewise order without repeats";
                return Err(ParseError::field(PARAMETERS_FILE, self.last, key, reason));
            }
            values.push(value);
        }
        Ok(values)
    }

    fn default_quota(&mut self) -> Result<Option<Quota>, ParseError> {
        const KEY: &str = "default-quota";
        let (number, fields) = self.next_of(KEY).ok_or_else(|| self.missing(KEY))?;
        match fields[..] {
            ["none"] => Ok(None),
            [kind, value] => Quota::parse(kind, value)
                .map(Some)
                .map_err(|error| ParseError::field(PARAMETERS_FILE, number, KEY, error)),
            _ => Err(ParseError::line(
                PARAMETERS_FILE,
                number,
                "'default-quota' takes 'none', or a kind and a value",
            )),
        }
    }

    fn stratum_quotas(&mut self) -> Result<BTreeMap<StratumKey, Quota>, ParseError> {
        const KEY: &str = "stratum-quota";
        let mut quotas = BTreeMap::new();
        let mut last_key: Option<StratumKey> = None;
        while let Some((number, fields)) = self.next_of(KEY) {
            let [key, kind, value] = fields[..] else {
                return Err(ParseError::line(
                    PARAMETERS_FILE,
                    number,
                    "'stratum-quota' takes a stratum, a kind and a value",
                ));
            };
            let at = |error: String| ParseError::field(PARAMETERS_FILE, number, KEY, error);
            let key = StratumKey::parse(key).map_err(|error| at(format!("stratum key {error}")))?;
            if last_key.as_ref().is_some_and(|last| *last >= key) {
                return Err(at("strata must be in bytewise order without repeats".into()));
            }
            quotas.insert(key.clone(), Quota::parse(kind, value).map_err(at)?);
            last_key = Some(key);
        }
        Ok(quotas)
    }

    fn frequency_caps(&mut self) -> Result<BTreeMap<ItemCode, FrequencyCap>, ParseError> {
        const KEY: &str = "frequency-cap";
        let mut caps = BTreeMap::new();
        let mut last_item: Option<ItemCode> = None;
        while let Some((number, fields)) = self.next_of(KEY) {
            let [item, times, year] = fields[..] else {
                return Err(ParseError::line(
                    PARAMETERS_FILE,
                    number,
                    "'frequency-cap' takes an item, a number of draws and a year",
                ));
            };
            let at = |error: String| ParseError::field(PARAMETERS_FILE, number, KEY, error);
            let item = ItemCode::parse(item).map_err(|error| at(format!("item code {error}")))?;
            if last_item.as_ref().is_some_and(|last| *last >= item) {
                return Err(at("items must be in bytewise order without repeats".into()));
            }
            caps.insert(item.clone(), FrequencyCap::parse(times, year).map_err(at)?);
            last_item = Some(item);
        }
        Ok(caps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_become_exact_basis_points() {
        assert_eq!(BasisPoints::parse_percent("3%").unwrap().get(), 300);
        assert_eq!(BasisPoints::parse_percent("2.5%").unwrap().get(), 250);
        assert_eq!(BasisPoints::parse_percent("0.25%").unwrap().get(), 25);
        assert_eq!(BasisPoints::parse_percent("100%").unwrap().get(), 10_000);
        assert!(BasisPoints::parse_percent("100.01%").is_err());
        assert!(BasisPoints::parse_percent("0.125%").is_err());
        assert!(BasisPoints::parse_percent("3").is_err());
        assert!(BasisPoints::parse_percent("-3%").is_err());
        assert_eq!(BasisPoints::new(250).unwrap().to_string(), "2.5%");
        assert_eq!(BasisPoints::new(25).unwrap().to_string(), "0.25%");
    }

    #[test]
    fn ratio_quota_rounds_up_and_never_exceeds_the_pool() {
        let three_percent = Quota::Ratio(BasisPoints::new(300).unwrap());
        assert_eq!(three_percent.of(100), 3);
        assert_eq!(three_percent.of(101), 4);
        assert_eq!(three_percent.of(1), 1);
        assert_eq!(three_percent.of(0), 0);
        assert_eq!(Quota::Ratio(BasisPoints::new(10_000).unwrap()).of(u32::MAX), u32::MAX);
        assert_eq!(Quota::Count(5).of(3), 3);
    }

    #[test]
    fn frequency_caps_are_lines_after_the_quotas_and_parse_back() {
        let text = "opendraw-parameters\t1\ntask\t7\nitem\tDRUG-01\nitem\tFOOD-01\ncertificate-date\t2026-12-01\n\
            inspectors-per-target\t2\ncross\tnone\nbalance\tno\ndepartment\tmarket\ndefault-quota\tcount\t3\n\
            frequency-cap\tFOOD-01\t1\t2026\n";
        let parameters = Parameters::parse(text.as_bytes()).unwrap();
        let cap = parameters.frequency_caps()[&ItemCode::parse("FOOD-01").unwrap()];
        assert_eq!((cap.times(), cap.year()), (1, 2026));
        assert_eq!(parameters.to_text(), text.as_bytes());
        for (wrong, why) in [
            ("frequency-cap\tFOOD-01\t0\t2026\n", "a cap of 0"),
            ("frequency-cap\tFOOD-01\t1\t26\n", "four digits"),
            ("frequency-cap\tHEALTH-01\t1\t2026\n", "not one of the task's items"),
            ("frequency-cap\tFOOD-01\t1\n", "takes an item"),
        ] {
            let text = text.replace("frequency-cap\tFOOD-01\t1\t2026\n", wrong);
            let error = Parameters::parse(text.as_bytes()).unwrap_err().to_string();
            assert!(error.contains(why), "{wrong}: {error}");
        }
        let two = text.replace("frequency-cap", "frequency-cap\tFOOD-01\t1\t2026\nfrequency-cap");
        assert!(Parameters::parse(two.as_bytes()).unwrap_err().to_string().contains("bytewise order"));
    }

    #[test]
    fn fewer_than_two_inspectors_per_target_is_refused() {
        assert!(InspectorsPerTarget::new(1).is_err());
        assert!(InspectorsPerTarget::new(2).is_ok());
    }
}
