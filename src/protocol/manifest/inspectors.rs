//! The inspector manifest: the frozen pool of inspectors (PROTOCOL.md §2.3).

use super::super::date::Date;
use super::super::digest::Digest;
use super::super::field::{Department, InspectorId, ItemCode, Region, Unit};
use super::super::tsv::{self, ParseError};

pub const INSPECTORS_FILE: &str = "inspectors.tsv";
pub const INSPECTORS_HEADER: &str = "inspector_id\tdepartment\tunit\tregion\titems\tcertificate_expires";

/// One inspector as the draw sees them; contact details and other directory
/// fields stay out of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspector {
    pub id: InspectorId,
    pub department: Department,
    pub unit: Unit,
    pub region: Region,
    /// Item codes the inspector is qualified for, bytewise sorted, no repeats.
    items: Vec<ItemCode>,
    /// Last day on which the law-enforcement certificate is valid.
    pub certificate_expires: Date,
}

impl Inspector {
    /// Returns `None` when `items` is empty: an inspector qualified for
    /// nothing has no place in a manifest.
    pub fn new(
        id: InspectorId,
        department: Department,
        unit: Unit,
        region: Region,
        mut items: Vec<ItemCode>,
        certificate_expires: Date,
    ) -> Option<Self> {
        items.sort();
        items.dedup();
        if items.is_empty() {
            return None;
        }
        Some(Self { id, department, unit, region, items, certificate_expires })
    }

    pub fn items(&self) -> &[ItemCode] {
        &self.items
    }

    /// Qualified for every one of `required` (bytewise sorted).
    pub fn is_qualified_for(&self, required: &[ItemCode]) -> bool {
        required.iter().all(|item| self.items.binary_search(item).is_ok())
    }

    /// The certificate is valid on `date` up to and including its expiry day.
    pub fn certificate_valid_on(&self, date: Date) -> bool {
        date <= self.certificate_expires
    }

    fn write(&self, out: &mut Vec<u8>) {
        let items: Vec<&str> = self.items.iter().map(ItemCode::as_str).collect();
        let expires = self.certificate_expires.to_string();
        tsv::push_record(
            out,
            &[
                self.id.as_str(),
                self.department.as_str(),
                self.unit.as_str(),
                self.region.as_str(),
                &items.join(","),
                &expires,
            ],
        );
    }
}

/// Two rows with the same inspector id (indices into the input, from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateInspector {
    pub id: InspectorId,
    pub first: usize,
    pub second: usize,
}

/// The inspectors in canonical order (bytewise by id), with the digest.
#[derive(Debug, Clone)]
pub struct InspectorManifest {
    text: Vec<u8>,
    inspectors: Vec<Inspector>,
    digest: Digest,
}

impl InspectorManifest {
    pub fn new(inspectors: Vec<Inspector>) -> Result<Self, DuplicateInspector> {
        let mut indexed: Vec<(usize, Inspector)> = inspectors.into_iter().enumerate().collect();
        indexed.sort_by(|a, b| a.1.id.cmp(&b.1.id));
        if let Some(pair) = indexed.windows(2).find(|pair| pair[0].1.id == pair[1].1.id) {
            let (a, b) = (pair[0].0, pair[1].0);
            return Err(DuplicateInspector { id: pair[0].1.id.clone(), first: a.min(b), second: a.max(b) });
        }
        let inspectors: Vec<Inspector> = indexed.into_iter().map(|(_, inspector)| inspector).collect();
        let mut text = Vec::new();
        tsv::push_record(&mut text, &[INSPECTORS_HEADER]);
        for inspector in &inspectors {
            inspector.write(&mut text);
        }
        Ok(Self { digest: Digest::of_file(&text), text, inspectors })
    }

    /// Reads a published manifest, refusing anything but its canonical form.
    pub fn parse(text: Vec<u8>) -> Result<Self, ParseError> {
        const FILE: &str = INSPECTORS_FILE;
        let mut lines = tsv::lines(FILE, &text)?;
        super::expect_header(FILE, lines.next(), INSPECTORS_HEADER)?;
        let mut inspectors: Vec<Inspector> = Vec::new();
        for (number, line) in lines {
            let [id, department, unit, region, items, expires] = tsv::fields(FILE, number, line)?;
            let at =
                |column: &'static str| move |error: String| ParseError::field(FILE, number, column, error);
            let id = InspectorId::parse(id).map_err(|e| at("inspector_id")(e.to_string()))?;
            let department = Department::parse(department).map_err(|e| at("department")(e.to_string()))?;
            let unit = Unit::parse(unit).map_err(|e| at("unit")(e.to_string()))?;
            let region = Region::parse(region).map_err(|e| at("region")(e.to_string()))?;
            let items = parse_item_list(items).map_err(at("items"))?;
            let expires = Date::parse(expires).map_err(|e| at("certificate_expires")(e.to_string()))?;
            if let Some(previous) = inspectors.last()
                && previous.id >= id
            {
                let why = if previous.id == id {
                    "appears twice"
                } else {
                    "is not in bytewise order after the line before it"
                };
                return Err(at("inspector_id")(format!("'{id}' {why}")));
            }
            inspectors.push(Inspector { id, department, unit, region, items, certificate_expires: expires });
        }
        Ok(Self { digest: Digest::of_file(&text), text, inspectors })
    }

    pub fn inspectors(&self) -> &[Inspector] {
        &self.inspectors
    }

    pub fn len(&self) -> usize {
        self.inspectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inspectors.is_empty()
    }

    pub fn text(&self) -> &[u8] {
        &self.text
    }

    pub fn digest(&self) -> Digest {
        self.digest
    }
}

/// A canonical item list: codes joined by commas, bytewise increasing.
fn parse_item_list(text: &str) -> Result<Vec<ItemCode>, String> {
    let mut items: Vec<ItemCode> = Vec::new();
    for part in text.split(',') {
        let item = ItemCode::parse(part).map_err(|error| format!("item code '{part}' {error}"))?;
        if items.last().is_some_and(|last| *last >= item) {
            return Err(format!("item codes must be in bytewise order without repeats ('{part}')"));
        }
        items.push(item);
    }
    Ok(items)
}
