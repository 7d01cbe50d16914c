//! Rule-based routing of consumer complaints: kind, category, lead agency, vulnerable groups
//! and personal data.
//!
//! Why rules and not a model: a province re-issues its coordination regulation from time to
//! time and operators must be able to see *why* a complaint went to an agency. So this module
//! is a generic engine and every word it knows lives in two TOML files:
//!
//! - `config/taxonomy.toml` — kinds, agencies and the 17 categories with their lead agency per
//!   kind (also used to seed the database);
//! - `config/routing.toml` — weighted phrases per category, kind cues, the consumer-association
//!   (HOI) cues, Art 8 vulnerable-group cues and age rules, and the teencode table.
//!
//! Matching is done on normalised tokens (no diacritics, `đ` → `d`, lowercase, abbreviations
//! expanded), on token boundaries, with longer phrases suppressing the shorter phrases they
//! contain. Each decision is explained in [`Classification::explanation`].

mod eval;
mod lexicon;
pub mod places;
pub mod units;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::domain::ids::{is_agency_code, MAX_AGENCY_CODE};
pub use crate::domain::Kind;
use crate::text::{self as text, Normalizer};
pub use eval::{evaluate, EvalReport, Misrouted};

use lexicon::{describe, Lexicon};
pub use places::Places;
pub use units::{Unit, Units};

/// Errors raised while loading configuration or evaluation data.
#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    /// A configuration or data file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that failed.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A TOML file does not parse or does not have the expected shape.
    #[error("invalid TOML in {what}: {source}")]
    Toml {
        /// Which file (taxonomy or routing).
        what: &'static str,
        /// The parser error.
        source: toml::de::Error,
    },
    /// The configuration parses but is inconsistent (unknown code, duplicate, …).
    #[error("invalid routing configuration: {0}")]
    Invalid(String),
    /// A line of an evaluation JSONL file is not a valid labelled complaint.
    #[error("evaluation data line {line}: {message}")]
    Data {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

/// A case kind as described in the taxonomy file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KindDef {
    /// `consultation`, `dispute` or `violation_report`.
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// Short description.
    #[serde(default)]
    pub description: String,
}

/// A provincial agency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgencyDef {
    /// Stable code (`SCT`, `QLTT`, …).
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// Short role description.
    pub role: String,
    /// Published contact: the agency's hotline or reception phone (shown on the home page).
    #[serde(default)]
    pub phone: Option<String>,
    /// Published contact: where citizens can come in person.
    #[serde(default)]
    pub address: Option<String>,
}

/// A complaint category with its lead agency per kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CategoryDef {
    /// Stable code (`ecommerce`, …).
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// Lead agency for a dispute.
    pub dispute_lead: String,
    /// Lead agency for a violation report.
    pub violation_lead: String,
}

/// Kinds, agencies and categories (from `config/taxonomy.toml`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Taxonomy {
    /// The case kinds (informational; the set is fixed by [`Kind`]).
    #[serde(default)]
    pub kinds: Vec<KindDef>,
    /// The agencies.
    pub agencies: Vec<AgencyDef>,
    /// The categories.
    pub categories: Vec<CategoryDef>,
}

impl Taxonomy {
    /// Parses and validates: agency codes well-formed ([`is_agency_code`]), codes unique, leads
    /// exist among the agencies, kinds known.
    pub fn from_toml_str(s: &str) -> Result<Taxonomy, RoutingError> {
        let t: Taxonomy = toml::from_str(s).map_err(|source| RoutingError::Toml {
            what: "taxonomy",
            source,
        })?;
        let mut seen = HashSet::new();
        for a in &t.agencies {
            if !is_agency_code(&a.code) {
                return Err(RoutingError::Invalid(format!(
                    "agency code '{}': 1 to {MAX_AGENCY_CODE} ASCII letters, digits, '_' or '-'",
                    a.code
                )));
            }
            if !seen.insert(a.code.as_str()) {
                return Err(RoutingError::Invalid(format!("agency code '{}' duplicated", a.code)));
            }
        }
        let mut cats = HashSet::new();
        for c in &t.categories {
            if c.code.trim().is_empty() || !cats.insert(c.code.as_str()) {
                return Err(RoutingError::Invalid(format!(
                    "category code '{}' empty or duplicated",
                    c.code
                )));
            }
            for lead in [&c.dispute_lead, &c.violation_lead] {
                if !seen.contains(lead.as_str()) {
                    return Err(RoutingError::Invalid(format!(
                        "category '{}' has unknown lead agency '{lead}'",
                        c.code
                    )));
                }
            }
        }
        if t.categories.is_empty() {
            return Err(RoutingError::Invalid("no categories".into()));
        }
        let mut kinds = HashSet::new();
        for k in &t.kinds {
            if Kind::parse(&k.code).is_none() || !kinds.insert(k.code.as_str()) {
                return Err(RoutingError::Invalid(format!(
                    "kind '{}' unknown or duplicated",
                    k.code
                )));
            }
        }
        Ok(t)
    }

    /// The category with this code.
    pub fn category(&self, code: &str) -> Option<&CategoryDef> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// The agency with this code.
    pub fn agency(&self, code: &str) -> Option<&AgencyDef> {
        self.agencies.iter().find(|a| a.code == code)
    }

    /// Lead agency for (kind, category): `None` for a consultation or an unknown category;
    /// the category's dispute lead or violation lead otherwise.
    pub fn lead_agency(&self, kind: Kind, category: &str) -> Option<&str> {
        let c = self.category(category)?;
        match kind {
            Kind::Consultation => None,
            Kind::Dispute => Some(c.dispute_lead.as_str()),
            Kind::ViolationReport => Some(c.violation_lead.as_str()),
        }
    }
}

/// The routing suggestion for one complaint.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Classification {
    /// Case kind.
    pub kind: Kind,
    /// Category code.
    pub category: String,
    /// Lead agency code; `None` for a consultation.
    pub agency: Option<String>,
    /// Art 8 vulnerable-group codes, sorted and unique.
    pub vulnerable: Vec<String>,
    /// Personal-data kinds found in the text, sorted and unique.
    pub pii: Vec<String>,
    /// 0..1: product of the category margin and the kind margin.
    pub confidence: f64,
    /// Human-readable reasons for each decision.
    pub explanation: Vec<String>,
    /// Second-best category, if any term matched it.
    pub runner_up_category: Option<String>,
    /// Where the consumer lives, as matched in the list of administrative units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residence: Option<Residence>,
    /// The unit of the suggested agency that serves the consumer's commune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Every unit that serves the consumer's commune (of any agency).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<UnitRef>,
    /// The consumer of a dispute lives in another province: refer to its Sở Công Thương.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
}

/// The consumer's place of residence in the list of administrative units.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Residence {
    /// GSO code of the province.
    pub province_code: String,
    /// Official name of the province.
    pub province_name: String,
    /// GSO code of the commune or ward, when one matched.
    pub commune_code: Option<String>,
    /// Official name of the commune or ward.
    pub commune_name: Option<String>,
}

/// A unit named in a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitRef {
    /// The unit's agency.
    pub agency: String,
    /// The unit's code.
    pub code: String,
    /// The unit's name.
    pub name: String,
}

/// Referral of a dispute to the Sở Công Thương of the province where the consumer lives
/// (product.md §5: the dispute lead is the SCT of the consumer's province of residence).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Referral {
    /// GSO code of the consumer's province.
    pub province_code: String,
    /// Its official name.
    pub province_name: String,
    /// The agency to refer to ("Sở Công Thương tỉnh Cao Bằng").
    pub agency_name: String,
    /// Legal basis.
    pub basis: String,
}

// ---------------------------------------------------------------- routing.toml shape

type Weights = BTreeMap<String, f64>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutingFile {
    default_category: String,
    default_kind: String,
    #[serde(default)]
    question_mark_weight: f64,
    #[serde(default)]
    normalize: NormalizeCfg,
    #[serde(default)]
    neutral: Vec<String>,
    categories: BTreeMap<String, Weights>,
    kind_cues: KindCuesCfg,
    association: AssociationCfg,
    vulnerable: VulnerableCfg,
    #[serde(default)]
    precedence: Vec<PrecedenceCfg>,
}

/// "If category X scores at least `min_score`, it wins over these categories": used for
/// channel-like categories (goods bought online are e-commerce whatever the goods are).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrecedenceCfg {
    category: String,
    min_score: f64,
    over: Vec<String>,
}

#[derive(Debug, Clone)]
struct Precedence {
    category: usize,
    min_score: f64,
    over: Vec<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NormalizeCfg {
    #[serde(default)]
    abbreviations: HashMap<String, String>,
    #[serde(default)]
    keep_after_number: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindCuesCfg {
    consultation: Weights,
    dispute: Weights,
    violation_report: Weights,
    #[serde(default)]
    neutral: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssociationCfg {
    agency: String,
    threshold: f64,
    terms: Weights,
    #[serde(default)]
    neutral: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VulnerableCfg {
    threshold: f64,
    groups: BTreeMap<String, Weights>,
    #[serde(default)]
    neutral: Vec<String>,
    #[serde(default)]
    age_rules: Vec<AgeRuleCfg>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgeRuleCfg {
    group: String,
    unit: String,
    #[serde(default)]
    min: Option<u32>,
    #[serde(default)]
    max: Option<u32>,
}

#[derive(Debug, Clone)]
struct AgeRule {
    group: usize,
    unit: Vec<String>,
    min: Option<u32>,
    max: Option<u32>,
    source: String,
}

/// The compiled router: taxonomy plus compiled rules from `config/routing.toml`.
#[derive(Debug, Clone)]
pub struct Router {
    taxonomy: Taxonomy,
    normalizer: Normalizer,
    categories: Vec<String>,
    category_lex: Lexicon,
    default_category: usize,
    precedence: Vec<Precedence>,
    kind_lex: Lexicon,
    default_kind: Kind,
    question_mark_weight: f64,
    association_agency: String,
    association_threshold: f64,
    association_lex: Lexicon,
    groups: Vec<String>,
    vulnerable_lex: Lexicon,
    vulnerable_threshold: f64,
    age_rules: Vec<AgeRule>,
    places: std::sync::Arc<Places>,
    units: std::sync::Arc<Units>,
}

impl Router {
    /// Compiles the routing rules against `taxonomy`. Every category code in the rules must
    /// exist in the taxonomy and every taxonomy category must have rules.
    pub fn new(taxonomy: Taxonomy, routing_toml: &str) -> Result<Router, RoutingError> {
        let cfg: RoutingFile = toml::from_str(routing_toml).map_err(|source| RoutingError::Toml {
            what: "routing",
            source,
        })?;
        let normalizer = Normalizer::new(&cfg.normalize.abbreviations, &cfg.normalize.keep_after_number);

        let categories: Vec<String> = taxonomy.categories.iter().map(|c| c.code.clone()).collect();
        let cat_index = |code: &str| categories.iter().position(|c| c == code);
        let mut by_index = Vec::new();
        for (code, terms) in &cfg.categories {
            let idx = cat_index(code)
                .ok_or_else(|| RoutingError::Invalid(format!("routing rules name unknown category '{code}'")))?;
            by_index.push((idx, terms));
        }
        if let Some(code) = categories.iter().find(|c| !cfg.categories.contains_key(*c)) {
            return Err(RoutingError::Invalid(format!("category '{code}' has no routing terms")));
        }
        let category_lex = lexicon(&normalizer, by_index, &cfg.neutral);
        let default_category = cat_index(&cfg.default_category).ok_or_else(|| {
            RoutingError::Invalid(format!(
                "default_category '{}' is not a taxonomy category",
                cfg.default_category
            ))
        })?;
        let precedence = precedence_rules(&cfg.precedence, cat_index)?;
        let default_kind = Kind::parse(&cfg.default_kind)
            .ok_or_else(|| RoutingError::Invalid(format!("default_kind '{}' unknown", cfg.default_kind)))?;
        let cues = &cfg.kind_cues;
        let kind_lex = lexicon(
            &normalizer,
            [
                (Kind::Consultation.index(), &cues.consultation),
                (Kind::Dispute.index(), &cues.dispute),
                (Kind::ViolationReport.index(), &cues.violation_report),
            ],
            &cues.neutral,
        );
        if taxonomy.agency(&cfg.association.agency).is_none() {
            return Err(RoutingError::Invalid(format!(
                "association agency '{}' is not in the taxonomy",
                cfg.association.agency
            )));
        }
        let association_lex = lexicon(&normalizer, [(0, &cfg.association.terms)], &cfg.association.neutral);
        let groups: Vec<String> = cfg.vulnerable.groups.keys().cloned().collect();
        let vulnerable_lex = lexicon(
            &normalizer,
            cfg.vulnerable.groups.values().enumerate(),
            &cfg.vulnerable.neutral,
        );
        let age_rules = age_rules(&normalizer, &cfg.vulnerable.age_rules, &groups)?;

        Ok(Router {
            taxonomy,
            normalizer,
            categories,
            category_lex,
            default_category,
            precedence,
            kind_lex,
            default_kind,
            question_mark_weight: cfg.question_mark_weight,
            association_agency: cfg.association.agency,
            association_threshold: cfg.association.threshold,
            association_lex,
            groups,
            vulnerable_lex,
            vulnerable_threshold: cfg.vulnerable.threshold,
            age_rules,
            places: Default::default(),
            units: Default::default(),
        })
    }

    /// Adds the list of administrative units and the agency units (`config/units.toml`).
    pub fn with_units(mut self, places: Places, units_toml: &str) -> Result<Router, RoutingError> {
        let units = Units::build(units_toml, &places, &self.taxonomy)?;
        self.places = std::sync::Arc::new(places);
        self.units = std::sync::Arc::new(units);
        Ok(self)
    }

    /// Everything from one configuration folder: `taxonomy.toml`, `routing.toml`,
    /// `admin-units.json` and `units.toml`.
    pub fn load_dir(dir: &Path) -> Result<Router, RoutingError> {
        let units_path = dir.join("units.toml");
        let units = std::fs::read_to_string(&units_path).map_err(|source| RoutingError::Io {
            path: units_path.display().to_string(),
            source,
        })?;
        Router::load(&dir.join("taxonomy.toml"), &dir.join("routing.toml"))?
            .with_units(Places::load(&dir.join("admin-units.json"))?, &units)
    }

    /// The list of administrative units (empty unless loaded with [`Router::with_units`]).
    pub fn places(&self) -> &Places {
        &self.places
    }

    /// The agency units (none unless loaded with [`Router::with_units`]).
    pub fn units(&self) -> &Units {
        &self.units
    }

    /// Where the consumer lives by official names only — (commune, province) as the list of
    /// administrative units names what was typed, nothing of what it does not recognise: the
    /// fields are free text, and an anonymised case keeps no house number or phone typed there.
    pub fn official_residence(
        &self,
        commune: Option<&str>,
        province: Option<&str>,
    ) -> (Option<String>, Option<String>) {
        let home = Some(self.units.province_code()).filter(|h| !h.is_empty());
        let loc = self.places.locate(commune, province, home);
        (
            loc.commune.map(|c| c.name.clone()),
            loc.province.map(|p| p.name.clone()),
        )
    }

    /// Completes a suggestion with where the consumer lives (`commune`, `province` as typed):
    /// the units that serve their commune, the suggested agency's unit among them, and for a
    /// dispute of a consumer living in another province, the referral to its Sở Công Thương.
    pub fn place(&self, c: &mut Classification, commune: Option<&str>, province: Option<&str>) {
        if commune.is_none() && province.is_none() {
            return;
        }
        let home = Some(self.units.province_code()).filter(|h| !h.is_empty());
        let loc = self.places.locate(commune, province, home);
        if let Some(note) = &loc.note {
            c.explanation.push(format!("residence: {note}"));
        }
        let Some(p) = loc.province else {
            if let Some(name) = province.filter(|p| !p.trim().is_empty()) {
                c.explanation.push(format!(
                    "residence: province \"{name}\" is not in the list of administrative units"
                ));
            }
            return;
        };
        c.explanation.push(match loc.commune {
            Some(cm) => format!(
                "residence: {}, {} (commune {}, province {})",
                cm.name, p.name, cm.code, p.code
            ),
            None => format!("residence: {} (province {})", p.name, p.code),
        });
        c.residence = Some(Residence {
            province_code: p.code.clone(),
            province_name: p.name.clone(),
            commune_code: loc.commune.map(|x| x.code.clone()),
            commune_name: loc.commune.map(|x| x.name.clone()),
        });
        if let Some(cm) = loc.commune {
            for u in self.units.serving(&cm.code) {
                c.explanation.push(format!(
                    "unit {} of {}: {} serves {}",
                    u.code, u.agency, u.name, cm.name
                ));
                c.units.push(UnitRef {
                    agency: u.agency.clone(),
                    code: u.code.clone(),
                    name: u.name.clone(),
                });
            }
            c.unit = c
                .units
                .iter()
                .find(|u| Some(&u.agency) == c.agency.as_ref())
                .map(|u| u.code.clone());
        }
        if home.is_some_and(|h| h != p.code) {
            self.refer(c, p);
        }
    }

    /// The referral of a dispute whose consumer lives in province `p`, not in ours.
    fn refer(&self, c: &mut Classification, p: &places::Province) {
        if c.kind != Kind::Dispute {
            c.explanation.push(format!(
                "residence outside the province ({}): no referral, only a dispute is led by the consumer's province",
                p.name
            ));
            return;
        }
        let agency_name = if p.name.starts_with("Thành phố") {
            format!("Sở Công Thương {}", p.name)
        } else {
            format!("Sở Công Thương tỉnh {}", p.name)
        };
        let basis = "Nghị định 146/2025/NĐ-CP, Điều 46".to_owned();
        c.explanation.push(format!(
            "referral: the consumer lives in {}, another province: the dispute lead is {agency_name} ({basis})",
            p.name
        ));
        c.referral = Some(Referral {
            province_code: p.code.clone(),
            province_name: p.name.clone(),
            agency_name,
            basis,
        });
    }

    /// Reads both files and compiles the router.
    pub fn load(taxonomy_path: &Path, routing_path: &Path) -> Result<Router, RoutingError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|source| RoutingError::Io {
                path: p.display().to_string(),
                source,
            })
        };
        let taxonomy = Taxonomy::from_toml_str(&read(taxonomy_path)?)?;
        Router::new(taxonomy, &read(routing_path)?)
    }

    /// The taxonomy the router was built with.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The full matching form of `text` (normalised and with abbreviations expanded).
    pub fn matching_form(&self, text: &str) -> String {
        self.normalizer.matching_form(text)
    }

    /// Classifies one complaint. `channel` (hotline, web, …) is recorded in the explanation.
    pub fn classify(&self, text: &str, channel: Option<&str>) -> Classification {
        let toks = self.normalizer.token_seq(text);
        let mut explanation = Vec::new();
        if let Some(ch) = channel {
            explanation.push(format!("channel: {ch}"));
        }

        let (category, cat_margin, runner_up_category) = self.category(&toks, &mut explanation);
        let (kind, kind_margin) = self.kind(&toks, text.contains('?'), &mut explanation);
        let agency = self.agency(kind, &category, &toks, &mut explanation);
        let vulnerable = self.vulnerable(&toks, &mut explanation);
        let pii = pii_kinds(text, &mut explanation);

        let confidence = ((0.5 + 0.5 * cat_margin) * (0.5 + 0.5 * kind_margin)).clamp(0.0, 1.0);
        Classification {
            kind,
            category,
            agency,
            vulnerable,
            pii,
            confidence: (confidence * 1000.0).round() / 1000.0,
            explanation,
            runner_up_category,
            residence: None,
            unit: None,
            units: Vec::new(),
            referral: None,
        }
    }

    /// The category, how far it leads the runner-up (0–1), and the runner-up.
    fn category(&self, toks: &text::TokenSeq, explanation: &mut Vec<String>) -> (String, f64, Option<String>) {
        let cat_hits = self.category_lex.scan(toks);
        let cat_scores = Lexicon::score(&cat_hits, self.categories.len());
        let (mut best, mut second) = top_two(&cat_scores);
        let mut precedence_note = None;
        if let Some((b, _)) = best {
            if let Some(p) = self
                .precedence
                .iter()
                .find(|p| p.over.contains(&b) && cat_scores[p.category] >= p.min_score)
            {
                second = best;
                best = Some((p.category, cat_scores[p.category]));
                precedence_note = Some(format!(
                    "precedence rule: {} (score ≥ {:.1}) wins over {}",
                    self.categories[p.category], p.min_score, self.categories[b]
                ));
            }
        }
        let (cat_idx, cat_margin) = match best {
            Some((i, s)) if s > 0.0 => {
                let s2 = second.map(|(_, v)| v).unwrap_or(0.0);
                (i, (s - s2) / s)
            }
            _ => (self.default_category, 0.0),
        };
        let category = self.categories[cat_idx].clone();
        if best.map(|(_, s)| s > 0.0).unwrap_or(false) {
            explanation.push(format!(
                "category {category} (score {:.1}): {}",
                cat_scores[cat_idx],
                describe(&cat_hits, cat_idx)
            ));
        } else {
            explanation.push(format!(
                "category {category}: no category term matched, default category"
            ));
        }
        if let Some(note) = precedence_note {
            explanation.push(note);
        }
        let runner_up_category = match second {
            Some((i, s)) if s > 0.0 && i != cat_idx => {
                explanation.push(format!(
                    "runner-up category {} (score {s:.1}): {}",
                    self.categories[i],
                    describe(&cat_hits, i)
                ));
                Some(self.categories[i].clone())
            }
            _ => None,
        };
        (category, cat_margin, runner_up_category)
    }

    /// The kind and how far it leads (0–1); a question mark counts towards a consultation.
    fn kind(&self, toks: &text::TokenSeq, question: bool, explanation: &mut Vec<String>) -> (Kind, f64) {
        let kind_hits = self.kind_lex.scan(toks);
        let mut kind_scores = Lexicon::score(&kind_hits, 3);
        if question {
            kind_scores[Kind::Consultation.index()] += self.question_mark_weight;
        }
        let (kbest, ksecond) = top_two(&kind_scores);
        let (kind, kind_margin) = match kbest {
            Some((i, s)) if s > 0.0 => {
                let s2 = ksecond.map(|(_, v)| v).unwrap_or(0.0);
                (Kind::ALL[i], (s - s2) / s)
            }
            _ => (self.default_kind, 0.0),
        };
        let kparts: Vec<String> = Kind::ALL
            .iter()
            .map(|k| format!("{} {:.1}", k.as_str(), kind_scores[k.index()]))
            .collect();
        explanation.push(format!(
            "kind {} (scores: {}); cues: {}{}",
            kind.as_str(),
            kparts.join(", "),
            describe(&kind_hits, kind.index()),
            if question && kind == Kind::Consultation {
                format!(", question mark({:+})", self.question_mark_weight)
            } else {
                String::new()
            }
        ));
        (kind, kind_margin)
    }

    /// The agency that should handle a complaint of this kind and category.
    fn agency(
        &self,
        kind: Kind,
        category: &str,
        toks: &text::TokenSeq,
        explanation: &mut Vec<String>,
    ) -> Option<String> {
        match kind {
            Kind::Consultation => {
                explanation
                    .push("agency: none — a consultation is answered and closed by the person who took it".to_string());
                None
            }
            Kind::Dispute => {
                let hits = self.association_lex.scan(toks);
                let s: f64 = hits.iter().map(|h| h.weight).sum();
                if s >= self.association_threshold && !hits.is_empty() {
                    explanation.push(format!(
                        "agency {}: the consumer asks the consumer association ({})",
                        self.association_agency,
                        describe(&hits, 0)
                    ));
                    Some(self.association_agency.clone())
                } else {
                    let lead = self.taxonomy.lead_agency(kind, category).map(str::to_string);
                    explanation.push(format!(
                        "agency {}: dispute lead for category {category}",
                        lead.as_deref().unwrap_or("?")
                    ));
                    lead
                }
            }
            Kind::ViolationReport => {
                let lead = self.taxonomy.lead_agency(kind, category).map(str::to_string);
                explanation.push(format!(
                    "agency {}: violation lead for category {category}",
                    lead.as_deref().unwrap_or("?")
                ));
                lead
            }
        }
    }

    fn vulnerable(&self, seq: &text::TokenSeq, explanation: &mut Vec<String>) -> Vec<String> {
        let hits = self.vulnerable_lex.scan(seq);
        let toks = &seq.toks;
        let scores = Lexicon::score(&hits, self.groups.len());
        let mut out = BTreeSet::new();
        for (gi, s) in scores.iter().enumerate() {
            if *s >= self.vulnerable_threshold {
                explanation.push(format!("vulnerable {}: {}", self.groups[gi], describe(&hits, gi)));
                out.insert(self.groups[gi].clone());
            }
        }
        for (i, t) in toks.iter().enumerate() {
            let Ok(n) = t.parse::<u32>() else { continue };
            if t.len() > 3 {
                continue;
            }
            for r in &self.age_rules {
                let end = i + 1 + r.unit.len();
                if end > toks.len() || toks[i + 1..end] != r.unit[..] {
                    continue;
                }
                if r.min.is_some_and(|m| n < m) || r.max.is_some_and(|m| n > m) {
                    continue;
                }
                if out.insert(self.groups[r.group].clone()) {
                    explanation.push(format!(
                        "vulnerable {}: \"{} {}\" (age rule {})",
                        self.groups[r.group],
                        n,
                        r.unit.join(" "),
                        r.source
                    ));
                }
            }
        }
        out.into_iter().collect()
    }
}

/// A label index with its score.
type Scored = Option<(usize, f64)>;

/// Indices and values of the best and second-best scores (first index wins ties).
/// The kinds of personal data found in a text (for the explanation and the view).
fn pii_kinds(text: &str, explanation: &mut Vec<String>) -> Vec<String> {
    let pii: Vec<String> = text::detect_pii(text)
        .into_iter()
        .map(|m| m.kind.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !pii.is_empty() {
        explanation.push(format!("personal data found: {}", pii.join(", ")));
    }
    pii
}

/// A lexicon of weighted phrases per class index, plus neutral phrases (weight 0, no class)
/// that stop a shorter phrase inside them from counting.
fn lexicon<'a>(
    normalizer: &Normalizer,
    classes: impl IntoIterator<Item = (usize, &'a Weights)>,
    neutral: &[String],
) -> Lexicon {
    let mut lex = Lexicon::default();
    for (idx, terms) in classes {
        for (phrase, w) in terms {
            lex.add(normalizer, phrase, Some(idx), *w);
        }
    }
    for phrase in neutral {
        lex.add(normalizer, phrase, None, 0.0);
    }
    lex
}

fn precedence_rules(
    rules: &[PrecedenceCfg],
    cat_index: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<Precedence>, RoutingError> {
    let unknown = |c: &str| RoutingError::Invalid(format!("precedence names unknown category '{c}'"));
    let mut out = Vec::new();
    for p in rules {
        let category = cat_index(&p.category).ok_or_else(|| unknown(&p.category))?;
        let mut over = Vec::new();
        for o in &p.over {
            over.push(cat_index(o).ok_or_else(|| unknown(o))?);
        }
        out.push(Precedence {
            category,
            min_score: p.min_score,
            over,
        });
    }
    Ok(out)
}

fn age_rules(normalizer: &Normalizer, rules: &[AgeRuleCfg], groups: &[String]) -> Result<Vec<AgeRule>, RoutingError> {
    let mut out = Vec::new();
    for r in rules {
        let group = groups
            .iter()
            .position(|g| *g == r.group)
            .ok_or_else(|| RoutingError::Invalid(format!("age rule names unknown group '{}'", r.group)))?;
        let unit = normalizer.phrase(&r.unit);
        if unit.is_empty() {
            return Err(RoutingError::Invalid("age rule with empty unit".into()));
        }
        let source = format!(
            "{}{}{}",
            r.min.map(|m| format!("≥{m} ")).unwrap_or_default(),
            r.max.map(|m| format!("≤{m} ")).unwrap_or_default(),
            unit.join(" ")
        );
        out.push(AgeRule {
            group,
            unit,
            min: r.min,
            max: r.max,
            source,
        });
    }
    Ok(out)
}

fn top_two(scores: &[f64]) -> (Scored, Scored) {
    let mut best: Option<(usize, f64)> = None;
    let mut second: Option<(usize, f64)> = None;
    for (i, &s) in scores.iter().enumerate() {
        if best.map(|(_, b)| s > b).unwrap_or(true) {
            second = best;
            best = Some((i, s));
        } else if second.map(|(_, b)| s > b).unwrap_or(true) {
            second = Some((i, s));
        }
    }
    (best, second)
}
