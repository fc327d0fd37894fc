//! A macro for the TLS registries (alert descriptions, handshake types,
//! extension types, ...): each known code point gets a variant, and any other
//! value is kept in `Unknown` so that decoding never fails just because IANA
//! assigned something after this crate was written.

/// Declares a registry enum over an unsigned wire type.
///
/// The generated type is `Copy`, converts losslessly to and from its wire
/// integer (`from_wire` / `to_wire`, plus `From` in both directions), and
/// prints the RFC name of a known value, or the hex value of an unknown one.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate has no name for, kept as it was on the wire.
            Unknown($repr),
        }

        impl $name {
            /// Maps a wire value to its variant (never fails: see `Unknown`).
            pub const fn from_wire(value: $repr) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other),
                }
            }

            /// The value as it goes on the wire.
            pub const fn to_wire(self) -> $repr {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(other) => other,
                }
            }

            /// The name the RFCs use, or `None` for an unknown value.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($text), )+
                    Self::Unknown(_) => None,
                }
            }
        }

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                Self::from_wire(value)
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.to_wire()
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(text) => f.write_str(text),
                    None => write!(f, "unknown({:#x})", self.to_wire()),
                }
            }
        }
    };
}

pub(crate) use wire_enum;
