//! Mediation rules that do not depend on storage (Law 19/2023 Art 63–64).
//!
//! Art 64: when a party belongs to an ethnic minority, at least one mediator is of that group
//! or fluent in its language, otherwise an interpreter is recorded. [`check_minority_rule`]
//! decides it from what the service loaded: the case's vulnerable groups, the party's language
//! named in the appointment, the appointed mediator's groups and languages, the interpreter.

use super::case::VulnerableGroup;
use super::error::DomainError;

/// The matching form of a language or ethnic-group name: lowercase, no diacritics, single
/// spaces ("Tiếng H'Mông" and "tieng h mong" compare equal; a leading "tiếng"/"dân tộc" is
/// dropped so "Tày" matches "tiếng Tày").
pub fn language_key(name: &str) -> String {
    let n = crate::text::normalize(name);
    let n = n
        .strip_prefix("tieng ")
        .or_else(|| n.strip_prefix("dan toc "))
        .unwrap_or(&n);
    n.trim().to_owned()
}

/// What a mediator brings to the Art 64 rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediatorProfile {
    /// Languages the mediator speaks fluently, including ethnic-minority languages.
    pub languages: Vec<String>,
    /// Ethnic groups the mediator belongs to.
    pub ethnic_groups: Vec<String>,
}

impl MediatorProfile {
    /// Does the mediator belong to the group of, or speak, `language`?
    pub fn covers(&self, language: &str) -> bool {
        let want = language_key(language);
        !want.is_empty()
            && self
                .languages
                .iter()
                .chain(&self.ethnic_groups)
                .any(|l| language_key(l) == want)
    }
}

/// Does the Art 64 rule apply, and for which language? `None`: no party is of an ethnic
/// minority; `Some(None)`: the case says so but no language was named; `Some(Some(l))`.
pub fn minority_need<'a>(vulnerable: &[VulnerableGroup], party_language: Option<&'a str>) -> Option<Option<&'a str>> {
    match party_language {
        Some(l) => Some(Some(l)),
        None if vulnerable.contains(&VulnerableGroup::EthnicMinorityRemote) => Some(None),
        None => None,
    }
}

/// The Art 64 check of an appointment: refused ([`DomainError::MinorityMediatorRequired`])
/// unless no party is of an ethnic minority, the mediator covers the party's language, or an
/// interpreter is recorded. With the minority flag but no language named, only an interpreter
/// satisfies it: the service cannot tell whether the mediator speaks an unnamed language.
pub fn check_minority_rule(
    vulnerable: &[VulnerableGroup],
    party_language: Option<&str>,
    mediator: &MediatorProfile,
    interpreter: Option<&str>,
) -> Result<(), DomainError> {
    let Some(need) = minority_need(vulnerable, party_language) else {
        return Ok(());
    };
    if interpreter.is_some_and(|i| !i.trim().is_empty()) {
        return Ok(());
    }
    match need {
        Some(lang) if mediator.covers(lang) => Ok(()),
        lang => Err(DomainError::MinorityMediatorRequired {
            language: lang.map(str::to_owned),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hmong_speaker() -> MediatorProfile {
        MediatorProfile {
            languages: vec!["Tiếng Việt".into(), "Tiếng H'Mông".into()],
            ethnic_groups: vec![],
        }
    }

    #[test]
    fn no_minority_party_needs_nothing() {
        assert_eq!(
            check_minority_rule(&[], None, &MediatorProfile::default(), None),
            Ok(())
        );
        assert_eq!(
            check_minority_rule(&[VulnerableGroup::Elderly], None, &MediatorProfile::default(), None),
            Ok(())
        );
    }

    #[test]
    fn a_minority_party_needs_a_speaker_a_member_or_an_interpreter() {
        let flag = [VulnerableGroup::EthnicMinorityRemote];
        let nobody = MediatorProfile::default();
        assert!(matches!(
            check_minority_rule(&flag, Some("H'Mông"), &nobody, None),
            Err(DomainError::MinorityMediatorRequired { language: Some(_) })
        ));
        assert_eq!(
            check_minority_rule(&flag, Some("h mong"), &hmong_speaker(), None),
            Ok(())
        );
        let tay = MediatorProfile {
            languages: vec![],
            ethnic_groups: vec!["Tày".into()],
        };
        assert_eq!(check_minority_rule(&[], Some("tiếng Tày"), &tay, None), Ok(()));
        assert_eq!(
            check_minority_rule(&flag, Some("Thái"), &nobody, Some("Lò Văn A")),
            Ok(())
        );
        assert!(check_minority_rule(&flag, Some("Thái"), &hmong_speaker(), None).is_err());
    }

    #[test]
    fn the_flag_without_a_language_needs_an_interpreter_or_the_language() {
        let flag = [VulnerableGroup::EthnicMinorityRemote];
        assert_eq!(
            check_minority_rule(&flag, None, &hmong_speaker(), None),
            Err(DomainError::MinorityMediatorRequired { language: None })
        );
        assert_eq!(
            check_minority_rule(&flag, None, &hmong_speaker(), Some("Giàng A Páo")),
            Ok(())
        );
        assert!(check_minority_rule(&flag, None, &hmong_speaker(), Some("  ")).is_err());
    }
}
