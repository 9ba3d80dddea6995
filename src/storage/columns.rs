//! How domain types are read from the text columns that hold them: a row
//! whose text is not a valid value fails to decode, and the store reports
//! it as damaged, naming the column.

use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Decode, Type};

use crate::domain::account::Role;
use crate::domain::calendar::DayKind;
use crate::domain::inspection::ResultState;
use crate::domain::task::TaskState;
use crate::domain::time::Timestamp;

/// Decodes `$type` from a text column with `$parse`, which returns the
/// value or why the text is not one.
macro_rules! text_column {
    ($type:ty, $parse:expr) => {
        impl Type<Any> for $type {
            fn type_info() -> AnyTypeInfo {
                <String as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <String as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $type {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<'r, Any>>::decode(value)?;
                let parse: fn(&str) -> Result<$type, String> = $parse;
                Ok(parse(text)?)
            }
        }
    };
}

text_column!(TaskState, str::parse);
text_column!(Timestamp, str::parse);
text_column!(Role, |text| Role::parse(text).ok_or_else(|| format!("'{text}' is not a role")));
text_column!(DayKind, |text| DayKind::parse(text).ok_or_else(|| format!("'{text}' is not a kind of day")));
text_column!(ResultState, |text| {
    ResultState::parse(text).ok_or_else(|| format!("'{text}' is not a result state"))
});
