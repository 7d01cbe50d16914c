//! How the domain's ids, codes and enums are stored: as TEXT, on both backends. The domain
//! knows nothing of diesel; this module gives its types `ToSql`/`FromSql` and the expression
//! impls diesel derives (through `foreign_derive` proxies, so no diesel attribute touches
//! `domain/`). Text that is not a known value is a deserialization error, never a default:
//! the request fails with a 500 whose log names the type and the value (enum texts are not
//! personal data).

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};

use crate::domain::case::{Channel, Outcome, Status};
use crate::domain::clock::{ClockKind, ClockResult, ClockState};
use crate::domain::ids::{
    AgencyCode, CallId, CaseId, CategoryCode, EventId, EvidenceId, KbArticleId, MediationSessionId, MediatorId,
    TrackingCode, UserId,
};
use crate::domain::kb::KbStatus;
use crate::domain::user::Role;
use crate::domain::Kind;

/// An enum stored as its snake_case text; unknown text fails to load.
macro_rules! enum_as_text {
    ($($t:ident => $proxy:ident),+ $(,)?) => {$(
        #[derive(AsExpression, FromSqlRow)]
        #[diesel(foreign_derive)]
        #[diesel(sql_type = Text)]
        #[allow(dead_code)]
        struct $proxy($t);

        impl<DB: Backend> FromSql<Text, DB> for $t
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let s = String::from_sql(bytes)?;
                $t::parse(&s).ok_or_else(|| format!("unknown {} {s:?} stored", stringify!($t)).into())
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $t
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }
    )+};
}

/// An id or code stored as its text.
macro_rules! id_as_text {
    ($($t:ident => $proxy:ident),+ $(,)?) => {$(
        #[derive(AsExpression, FromSqlRow)]
        #[diesel(foreign_derive)]
        #[diesel(sql_type = Text)]
        #[allow(dead_code)]
        struct $proxy($t);

        impl<DB: Backend> FromSql<Text, DB> for $t
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                String::from_sql(bytes).map($t::from)
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $t
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }
    )+};
}

enum_as_text!(
    Status => StatusColumn,
    Outcome => OutcomeColumn,
    Channel => ChannelColumn,
    Kind => KindColumn,
    Role => RoleColumn,
    ClockKind => ClockKindColumn,
    ClockState => ClockStateColumn,
    ClockResult => ClockResultColumn,
    KbStatus => KbStatusColumn,
);

id_as_text!(
    CaseId => CaseIdColumn,
    UserId => UserIdColumn,
    EventId => EventIdColumn,
    EvidenceId => EvidenceIdColumn,
    CallId => CallIdColumn,
    MediatorId => MediatorIdColumn,
    MediationSessionId => MediationSessionIdColumn,
    KbArticleId => KbArticleIdColumn,
    AgencyCode => AgencyCodeColumn,
    CategoryCode => CategoryCodeColumn,
    TrackingCode => TrackingCodeColumn,
);
