//! Units under an agency (ADR 0033), from `config/units.toml`: the commune People's Committees
//! under the commune agency (`UBND_XA`), one per commune, ward or special zone of the
//! deployment's province, made from the list of administrative units (never typed by hand); and
//! configured branches of other agencies (the consumer association's Chi hội), each serving a
//! few communes. The router suggests the units that serve the consumer's commune.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::places::Places;
use super::{RoutingError, Taxonomy};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    province: String,
    #[serde(default)]
    commune_agency: Option<String>,
    #[serde(default)]
    units: Vec<UnitCfg>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitCfg {
    agency: String,
    code: String,
    name: String,
    #[serde(default)]
    communes: Vec<String>,
}

/// A unit under an agency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unit {
    /// Stable code (`UBND_XA-26743` for a commune's People's Committee, a configured code
    /// such as `HOI-SAIGON` otherwise).
    pub code: String,
    /// The agency it belongs to.
    pub agency: String,
    /// Vietnamese name.
    pub name: String,
    /// GSO codes of the communes it serves.
    pub communes: Vec<String>,
}

/// The units of the deployment, with the province they serve.
#[derive(Debug, Clone, Default)]
pub struct Units {
    province: String,
    units: Vec<Unit>,
    by_code: HashMap<String, usize>,
    by_commune: HashMap<String, Vec<usize>>,
}

impl Units {
    /// Parses `config/units.toml` and builds the units against the list of administrative
    /// units and the taxonomy: agencies must exist, codes be unique, communes be of the province.
    pub fn build(toml_str: &str, places: &Places, taxonomy: &Taxonomy) -> Result<Units, RoutingError> {
        let f: UnitsFile = toml::from_str(toml_str).map_err(|source| RoutingError::Toml { what: "units", source })?;
        let invalid = |m: String| RoutingError::Invalid(format!("config/units.toml: {m}"));
        let province = places
            .province_by_code(&f.province)
            .ok_or_else(|| invalid(format!("province '{}' is not in config/admin-units.json", f.province)))?;
        let mut units = Vec::new();
        if let Some(agency) = &f.commune_agency {
            if taxonomy.agency(agency).is_none() {
                return Err(invalid(format!("commune_agency '{agency}' is not in the taxonomy")));
            }
            for c in places.communes() {
                if places.province_of(c).code == province.code {
                    units.push(Unit {
                        code: format!("{agency}-{}", c.code),
                        agency: agency.clone(),
                        name: c.name.clone(),
                        communes: vec![c.code.clone()],
                    });
                }
            }
        }
        for u in f.units {
            if taxonomy.agency(&u.agency).is_none() {
                return Err(invalid(format!(
                    "unit '{}' names unknown agency '{}'",
                    u.code, u.agency
                )));
            }
            if !valid_code(&u.code) || u.name.trim().is_empty() {
                return Err(invalid(format!(
                    "unit code '{}' must be 1-40 letters, digits, '-' or '_', with a name",
                    u.code
                )));
            }
            for c in &u.communes {
                if places.commune_by_code(c).map(|x| &places.province_of(x).code) != Some(&province.code) {
                    return Err(invalid(format!(
                        "unit '{}': commune '{c}' is not in {}",
                        u.code, province.name
                    )));
                }
            }
            units.push(Unit {
                code: u.code,
                agency: u.agency,
                name: u.name,
                communes: u.communes,
            });
        }
        let mut seen = HashSet::new();
        let mut by_code = HashMap::new();
        let mut by_commune: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            if !seen.insert(u.code.clone()) {
                return Err(invalid(format!("unit code '{}' is used twice", u.code)));
            }
            by_code.insert(u.code.clone(), i);
            for c in &u.communes {
                by_commune.entry(c.clone()).or_default().push(i);
            }
        }
        Ok(Units {
            province: province.code.clone(),
            units,
            by_code,
            by_commune,
        })
    }

    /// The GSO code of the deployment's province; empty when no units are configured.
    pub fn province_code(&self) -> &str {
        &self.province
    }

    /// Every unit, commune units first (in GSO code order), then the configured ones.
    pub fn all(&self) -> &[Unit] {
        &self.units
    }

    /// The unit with this code.
    pub fn get(&self, code: &str) -> Option<&Unit> {
        self.by_code.get(code).map(|&i| &self.units[i])
    }

    /// The units of one agency.
    pub fn of_agency<'a>(&'a self, agency: &'a str) -> impl Iterator<Item = &'a Unit> + 'a {
        self.units.iter().filter(move |u| u.agency == agency)
    }

    /// The units that serve a commune (by GSO code), at most one per agency in a sane file.
    pub fn serving(&self, commune: &str) -> Vec<&Unit> {
        self.by_commune
            .get(commune)
            .map(|v| v.iter().map(|&i| &self.units[i]).collect())
            .unwrap_or_default()
    }
}

fn valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
