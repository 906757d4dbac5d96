//! JSON values held only as precisely as the affiliate parse rules need them.
//!
//! The stats answer can hold 100,000 rows, three times a cycle. Building a
//! `serde_json::Value` tree for it allocates every key of every row; these
//! shapes let serde match keys without allocating and keep each field as a
//! small tagged value, so [`super::wire`] can still apply its own rules (a
//! wrong type in a decoration field is ignored, in a money field it fails the
//! body, with the row's index in the message) instead of serde's blanket
//! "invalid type" errors.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The `visit_*` methods of every JSON scalar but `null`, each answering `$value`.
macro_rules! scalars_are {
    ($value:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// One field's value, whatever JSON type it arrived as.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Loose {
    /// The key was not in the object.
    #[default]
    Absent,
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A JSON number, exactly as serde_json read it.
    Number(serde_json::Number),
    /// A JSON string.
    Text(String),
    /// An object or an array (skipped, never inspected).
    Compound,
}

impl Loose {
    /// The text, when the value is a string, taken out of `self`.
    pub fn take_string(&mut self) -> Option<String> {
        match std::mem::take(self) {
            Loose::Text(s) => Some(s),
            _ => None,
        }
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Loose, E> {
        Ok(Loose::Bool)
    }

    fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
        serde_json::Number::from_f64(v)
            .map(Loose::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Text(v))
    }

    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Loose, A::Error> {
        skip_seq(seq).map(|()| Loose::Compound)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Loose, A::Error> {
        skip_map(map).map(|()| Loose::Compound)
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

/// A value that should be a JSON object of shape `T`, or a note of what it was.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ObjectOr<T> {
    /// The key was not in the object.
    #[default]
    Absent,
    /// `null`.
    Null,
    /// An object, read as `T`.
    Object(T),
    /// Anything else (skipped).
    Other,
}

struct ObjectOrVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrVisitor<T> {
    type Value = ObjectOr<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(ObjectOr::Object)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(ObjectOr::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|()| ObjectOr::Other)
    }

    scalars_are!(ObjectOr::Other);
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjectOrVisitor(PhantomData))
    }
}

/// A top-level stats body: an array of `T`, an object (its `data` member, if
/// any), or something else.
#[derive(Debug, Clone, PartialEq)]
pub enum ListBody<T> {
    /// A bare JSON array.
    List(Vec<T>),
    /// An object; its `data` member as read (absent, null, array or other).
    Wrapped(DataMember<T>),
    /// A string, number, boolean or null.
    Other,
}

/// The `data` member of a wrapped body.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum DataMember<T> {
    /// No `data` key, or not an array.
    #[default]
    Missing,
    /// `data` is an array.
    List(Vec<T>),
}

struct ListBodyVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListBodyVisitor<T> {
    type Value = ListBody<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        collect_seq(seq).map(ListBody::List)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut data = DataMember::Missing;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "data" {
                data = map.next_value()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(ListBody::Wrapped(data))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(ListBody::Other)
    }

    scalars_are!(ListBody::Other);
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ListBody<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListBodyVisitor(PhantomData))
    }
}

struct DataMemberVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for DataMemberVisitor<T> {
    type Value = DataMember<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        collect_seq(seq).map(DataMember::List)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map).map(|()| DataMember::Missing)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(DataMember::Missing)
    }

    scalars_are!(DataMember::Missing);
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for DataMember<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DataMemberVisitor(PhantomData))
    }
}

fn collect_seq<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
    mut seq: A,
) -> Result<Vec<T>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
    while let Some(item) = seq.next_element()? {
        out.push(item);
    }
    Ok(out)
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Pair {
        #[serde(default)]
        a: Loose,
        #[serde(default)]
        b: ObjectOr<Inner>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Inner {
        #[serde(default)]
        x: Loose,
    }

    fn body(json: &str) -> ListBody<ObjectOr<Pair>> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn keeps_each_json_type_apart() {
        let ListBody::List(rows) = body(
            r#"[{"a":1},{"a":-2},{"a":1.5},{"a":"s"},{"a":null},{"a":true},{"a":[1]},{"a":{"k":1}},{}]"#,
        ) else {
            panic!("expected a list")
        };
        let a: Vec<Loose> = rows
            .into_iter()
            .map(|r| match r {
                ObjectOr::Object(p) => p.a,
                other => panic!("row {other:?}"),
            })
            .collect();
        assert_eq!(
            a,
            vec![
                Loose::Number(1u64.into()),
                Loose::Number((-2i64).into()),
                Loose::Number(serde_json::Number::from_f64(1.5).unwrap()),
                Loose::Text("s".into()),
                Loose::Null,
                Loose::Bool,
                Loose::Compound,
                Loose::Compound,
                Loose::Absent,
            ]
        );
    }

    #[test]
    fn objects_or_notes_of_what_came_instead() {
        let ListBody::List(rows) =
            body(r#"[{"b":{"x":"y","z":[1,{"q":2}]}},{"b":null},{"b":3},{"b":[]},{},7]"#)
        else {
            panic!("expected a list")
        };
        let b: Vec<_> = rows
            .into_iter()
            .map(|r| match r {
                ObjectOr::Object(p) => Some(p.b),
                _ => None,
            })
            .collect();
        assert_eq!(
            b,
            vec![
                Some(ObjectOr::Object(Inner {
                    x: Loose::Text("y".into())
                })),
                Some(ObjectOr::Null),
                Some(ObjectOr::Other),
                Some(ObjectOr::Other),
                Some(ObjectOr::Absent),
                None,
            ]
        );
    }

    #[test]
    fn bodies_are_lists_wrapped_lists_or_neither() {
        assert_eq!(body("[]"), ListBody::List(vec![]));
        assert_eq!(
            body(r#"{"total":0,"data":[],"more":{"a":[1]}}"#),
            ListBody::Wrapped(DataMember::List(vec![]))
        );
        assert_eq!(
            body(r#"{"data":{"a":1}}"#),
            ListBody::Wrapped(DataMember::Missing)
        );
        assert_eq!(
            body(r#"{"error":"x"}"#),
            ListBody::Wrapped(DataMember::Missing)
        );
        assert_eq!(body(r#""rows""#), ListBody::Other);
        assert_eq!(body("null"), ListBody::Other);
        assert!(serde_json::from_str::<ListBody<ObjectOr<Pair>>>("[1,").is_err());
    }
}
