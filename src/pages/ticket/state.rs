//! What the ticket page holds while it is open: the ticket on screen, a newer copy waiting behind
//! "Show new replies", what screen readers are told, and the poll that keeps it fresh.

use api::{ActivityKind, AuthorKind, Ticket};
use leptos::prelude::*;

use crate::components::EtagPoll;

/// The open ticket page's state, shared by its parts.
#[derive(Clone, Copy)]
pub(super) struct TicketState {
    pub org_id: i64,
    pub ticket_id: i64,
    /// The ticket on screen.
    pub current: RwSignal<Ticket>,
    /// A newer copy that waits while the user is typing a comment.
    pub waiting: RwSignal<Option<Ticket>>,
    /// Said to screen readers (a polite live region).
    pub announcement: RwSignal<String>,
    /// Why the last Mark as solved or Reopen ticket failed: shown next to that button.
    pub status_error: RwSignal<Option<String>>,
    /// Why the last Remove from CC failed: shown in the CC section, next to that button.
    pub cc_error: RwSignal<Option<String>>,
    /// Whether the comment box holds anything: then new replies wait.
    pub typing: RwSignal<bool>,
    /// The signed-in user's name: their own replies are not announced.
    pub my_name: StoredValue<String>,
    pub poll: EtagPoll,
}

impl TicketState {
    /// Shows a newer copy from the server, announcing the newest reply that is not the user's own.
    pub fn apply(&self, fresh: Ticket) {
        let before = self.current.with_untracked(|t| t.activity.len());
        let newest = fresh
            .activity
            .iter()
            .skip(before)
            .rev()
            .find(|a| {
                a.kind == ActivityKind::Comment
                    && (a.author_kind == AuthorKind::Agent
                        || self.my_name.with_value(|me| *me != a.author_name))
            })
            .map(|a| a.author_name.clone());
        if let Some(name) = newest {
            self.announcement.set(format!("New reply from {name}."));
        }
        self.current.set(fresh);
        self.waiting.set(None);
    }

    /// Shows a newer copy found by polling, or keeps it waiting while the user types.
    pub fn offer(&self, fresh: Ticket) {
        if self.typing.get_untracked() {
            self.waiting.set(Some(fresh));
        } else {
            self.apply(fresh);
        }
    }

    /// Shows the ticket as the user's own change left it.
    pub fn replace(&self, fresh: Ticket) {
        // The answer is the new ticket; the next poll fetches its ETag.
        self.poll.invalidate();
        self.current.set(fresh);
        self.waiting.set(None);
    }
}
