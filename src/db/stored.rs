//! Domain types stored as text: each decodes straight from its column and binds as its stored
//! name. A value this version does not know is an error that names the column (sqlx's
//! `ColumnDecode`), never a default: a visibility read wrongly would show a post to the wrong
//! people.

use crate::domain::{
    AlertReach, Circle, DigestFrequency, FollowState, GroupKind, JoinMode, MemberRole,
    MembershipState, NotificationKind, Role, Scopes, UserState, Visibility,
    event::{EventJoinMode, EventStatus, ParticipationState, Zone},
    media::{MediaKind, MediaState, MediaUse},
};
use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

/// Implements `Type`, `Decode` and `Encode` for `Any` on a type stored as text, given how to
/// read it (`&str -> Option<Self>`) and how to write it (`&Self -> String`).
macro_rules! stored_as_text {
    ($ty:ty, $read:expr, $write:expr) => {
        impl Type<Any> for $ty {
            fn type_info() -> AnyTypeInfo {
                <str as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <str as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $ty {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<'r, Any>>::decode(value)?;
                let read: fn(&str) -> Option<$ty> = $read;
                read(text)
                    .ok_or_else(|| format!("{text:?} is not a known {}", stringify!($ty)).into())
            }
        }

        impl Encode<'_, Any> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as Database>::ArgumentBuffer,
            ) -> Result<IsNull, BoxDynError> {
                let write: fn(&$ty) -> String = $write;
                <String as Encode<'_, Any>>::encode(write(self), buf)
            }
        }
    };
}

stored_as_text!(Visibility, Visibility::from_stored, |v| v.as_str().into());
stored_as_text!(Circle, |s| Circle::parse(s).ok(), |v| v.as_str().into());
stored_as_text!(GroupKind, |s| GroupKind::parse(s).ok(), |v| v
    .as_str()
    .into());
stored_as_text!(JoinMode, |s| JoinMode::parse(s).ok(), |v| v.as_str().into());
stored_as_text!(MemberRole, |s| MemberRole::parse(s).ok(), |v| v
    .as_str()
    .into());
stored_as_text!(MembershipState, MembershipState::from_stored, |v| v
    .as_str()
    .into());
stored_as_text!(FollowState, FollowState::from_stored, |v| v.as_str().into());
stored_as_text!(DigestFrequency, DigestFrequency::from_stored, |v| v
    .as_str()
    .into());
stored_as_text!(AlertReach, AlertReach::from_stored, |v| v.as_str().into());
stored_as_text!(NotificationKind, NotificationKind::from_stored, |v| v
    .as_str()
    .into());
stored_as_text!(Role, |s| Role::parse(s).ok(), |v| v.as_str().into());
stored_as_text!(UserState, |s| UserState::parse(s).ok(), |v| v
    .as_str()
    .into());
stored_as_text!(EventStatus, |s| EventStatus::parse(s).ok(), |v| v
    .as_str()
    .into());
stored_as_text!(EventJoinMode, |s| EventJoinMode::parse(s).ok(), |v| v
    .as_str()
    .into());
stored_as_text!(ParticipationState, ParticipationState::from_stored, |v| v
    .as_str()
    .into());
stored_as_text!(Zone, Zone::from_stored, |v| v.as_str().into());
stored_as_text!(MediaKind, MediaKind::from_stored, |v| v.as_str().into());
stored_as_text!(MediaState, MediaState::from_stored, |v| v.as_str().into());
stored_as_text!(MediaUse, MediaUse::from_stored, |v| v.as_str().into());
stored_as_text!(Scopes, |s| Scopes::parse(s).ok(), |v| v.to_string());
stored_as_text!(
    crate::domain::report::Category,
    crate::domain::report::Category::from_stored,
    |v| v.as_str().into()
);
