//! What the event table generates: from one line per event (variant, type name,
//! projection kind) the [`ChatEvent`](super::ChatEvent) enum with its serde tags, the
//! accessors that dispatch to the payload, the `From` conversions,
//! [`EVENT_TYPES`](super::EVENT_TYPES) and `for_each_chat_event!` (the variants, for
//! other crates' dispatches). Written as a macro so that a new event is one
//! line in `events/mod.rs` plus its struct and [`EventPayload`](super::EventPayload)
//! impl, and the type name exists exactly once.

/// Generates [`ChatEvent`](super::ChatEvent) and its table-driven items from
/// `Variant = "type_name", Sync|Async;` lines (the variant wraps the struct of the same
/// name), after a `($)` that lends it a `$` token.
macro_rules! chat_events {
    // `$d` is a `$` token (given by the table, as a transcriber cannot write one), so that
    // the macro written here can have metavariables of its own.
    (@for_each $d:tt $($variant:ident),+) => {
        /// Invokes `callback! { ChatCreated, ChatUpdated, ... }` with every event variant of
        /// the event table, in its order: how another crate writes its own exhaustive
        /// dispatch over [`ChatEvent`](crate::ChatEvent) (say, to a trait every payload
        /// implements there) without listing the events again, so a new event does not
        /// compile there until it is decided.
        #[macro_export]
        macro_rules! for_each_chat_event {
            ($d callback:ident) => {
                $d callback! { $($variant),+ }
            };
        }
    };
    (($d:tt) $($variant:ident = $name:literal, $kind:ident;)+) => {
        $crate::chat::events::table::chat_events!(@for_each $d $($variant),+);

        /// Every fact a chat can emit (internally tagged by its type name).
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type")]
        pub enum ChatEvent {
            $(
                #[doc = concat!("`", $name, "` (", stringify!($kind), ").")]
                #[serde(rename = $name)]
                $variant($variant),
            )+
        }

        /// Every event type with its projection kind, in the table's order.
        pub const EVENT_TYPES: [(&str, ProjectionKind); [$($name),+].len()] =
            [$(($name, ProjectionKind::$kind)),+];

        impl ChatEvent {
            /// The type name: the serde tag, the envelope's `event_type` and the
            /// WebSocket frame's `t` (a wire contract: never rename).
            #[must_use]
            pub const fn event_type(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $name,)+
                }
            }

            /// How this event is projected.
            #[must_use]
            pub const fn projection_kind(&self) -> ProjectionKind {
                match self {
                    $(Self::$variant(_) => ProjectionKind::$kind,)+
                }
            }

            /// The chat the event belongs to (the Kafka record key).
            #[must_use]
            pub const fn chat_id(&self) -> ChatId {
                match self {
                    $(Self::$variant(e) => e.chat_id,)+
                }
            }

            /// The chat's version after this event.
            #[must_use]
            pub const fn version(&self) -> u64 {
                match self {
                    $(Self::$variant(e) => e.version,)+
                }
            }

            /// The payload, as the facts it declares about itself.
            fn payload(&self) -> &dyn EventPayload {
                match self {
                    $(Self::$variant(e) => e,)+
                }
            }
        }

        $(impl From<$variant> for ChatEvent {
            fn from(e: $variant) -> Self {
                Self::$variant(e)
            }
        })+
    };
}

pub(super) use chat_events;
