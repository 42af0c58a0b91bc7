//! What the command table generates: from one line per command (its doc, variant and
//! snake_case name) the [`ChatCommand`](super::ChatCommand) enum, the accessors every
//! command answers (actor, name, time), the `From` conversions, and the dispatch of
//! [`facts_query`](super::ChatCommand::facts_query) and `decide` to each command's
//! `Decide` impl, which sits beside its rule in `decide/`. Written as a macro so that a
//! new command is one line in `commands/mod.rs` plus its struct and that impl, and no
//! per-command match is repeated by hand; every generated match stays exhaustive.

/// Generates [`ChatCommand`](super::ChatCommand) and its table-driven items from
/// `/// doc` + `Variant = "name";` lines (the variant wraps the struct of the same name).
macro_rules! chat_commands {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal;)+) => {
        /// Every command the chat decides.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum ChatCommand {
            $($(#[doc = $doc])* $variant($variant),)+
        }

        impl ChatCommand {
            /// The acting identity.
            #[must_use]
            pub const fn actor(&self) -> &Actor {
                match self {
                    $(Self::$variant(c) => &c.actor,)+
                }
            }

            /// The command's name in snake_case (`send_message`, ...), for logs and
            /// metrics.
            #[must_use]
            pub const fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $name,)+
                }
            }

            /// The time of the request (becomes the events' time).
            #[must_use]
            pub const fn at(&self) -> OffsetDateTime {
                match self {
                    $(Self::$variant(c) => c.at,)+
                }
            }

            /// What to look up in the message index before deciding this command against
            /// `state` (empty for commands that name no message).
            #[must_use]
            pub fn facts_query(&self, state: &ChatState) -> FactsQuery {
                match self {
                    $(Self::$variant(c) => Decide::facts_query(c, state),)+
                }
            }

            /// The command's own rule (its `Decide` impl), against `state` with `facts`.
            pub(crate) fn decide_by_rule(
                self,
                state: &ChatState,
                facts: &MessageFacts,
            ) -> Result<Vec<ChatEvent>, ChatError> {
                match self {
                    $(Self::$variant(c) => Decide::decide(c, state, facts),)+
                }
            }
        }

        $(impl From<$variant> for ChatCommand {
            fn from(c: $variant) -> Self {
                Self::$variant(c)
            }
        })+
    };
}

pub(super) use chat_commands;
