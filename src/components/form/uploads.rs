//! Files for a ticket or a comment: checked against the limits before anything is sent, uploaded as soon
//! as they are added (file picker, drag and drop, or a pasted screenshot) with a progress bar each, and
//! retried or removed one by one without touching the others.

use api::Field;
use api::ticket::{check_attachment, check_attachment_room};
use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::api::{ApiClient, ClientError, UploadAborter};
use crate::components::focus_by_id;

/// Where one file stands.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum UploadState {
    Uploading,
    Done(i64),
    Failed(String),
}

/// A file the user added. Signals are reference-counted (`Arc*`): items are created in event handlers,
/// outside any component, and must live exactly as long as the list holds them.
#[derive(Clone)]
pub(super) struct UploadItem {
    pub(super) id: u32,
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) progress: ArcRwSignal<f64>,
    pub(super) state: ArcRwSignal<UploadState>,
    file: SendWrapper<web_sys::File>,
    xhr: ArcStoredValue<Option<UploadAborter>>,
}

/// The files of one form.
#[derive(Clone, Copy)]
pub struct Uploads {
    org_id: i64,
    /// Element id prefix: the file input is `{prefix}-attachments`.
    pub(super) prefix: &'static str,
    pub(super) items: RwSignal<Vec<UploadItem>>,
    next_id: StoredValue<u32>,
    /// Files refused before upload, as one sentence (the field's message).
    pub(super) refused: RwSignal<Option<String>>,
    /// Files the ticket already holds (its own and its comments'), which count towards its limit.
    existing_files: usize,
    /// Bytes the ticket already holds (its own files and its comments'), which count towards its total.
    existing_bytes: u64,
    client: ApiClient,
}

impl Uploads {
    /// No files yet, for a form whose element ids start with `prefix`.
    pub fn new(org_id: i64, prefix: &'static str) -> Self {
        Self::with_existing(org_id, prefix, 0, 0)
    }

    /// No files yet, for a ticket that already holds `existing_files` files of `existing_bytes`
    /// together (the server's limits are per ticket).
    pub fn with_existing(
        org_id: i64,
        prefix: &'static str,
        existing_files: usize,
        existing_bytes: u64,
    ) -> Self {
        let items = RwSignal::new(Vec::<UploadItem>::new());
        // Leaving the form stops what is still being sent (finished uploads are swept by the server).
        on_cleanup(move || {
            for item in items.try_get_untracked().unwrap_or_default() {
                if let Some(xhr) = item.xhr.get_value() {
                    let _ = xhr.abort();
                }
            }
        });
        Self {
            org_id,
            prefix,
            items,
            next_id: StoredValue::new(0),
            refused: RwSignal::new(None),
            existing_files,
            existing_bytes,
            client: expect_context::<ApiClient>(),
        }
    }

    fn start(&self, item: UploadItem) {
        item.state.set(UploadState::Uploading);
        item.progress.set(0.0);
        let progress = item.progress.clone();
        match self
            .client
            .upload(self.org_id, &item.file, &item.name, move |p| {
                progress.set(p)
            }) {
            Ok(upload) => {
                item.xhr.set_value(Some(upload.aborter()));
                leptos::task::spawn_local(async move {
                    let state = match upload.finish().await {
                        Ok(attachment) => UploadState::Done(attachment.id),
                        Err(ClientError::Api(body)) => UploadState::Failed(
                            body.field(Field::Attachments)
                                .unwrap_or(&body.message)
                                .to_owned(),
                        ),
                        Err(e) => UploadState::Failed(e.message()),
                    };
                    item.xhr.set_value(None);
                    item.state.set(state);
                });
            }
            Err(e) => item.state.set(UploadState::Failed(e.message())),
        }
    }

    /// How many files count towards the limits, and their bytes: the ticket's and this form's (failed
    /// ones do not count).
    fn kept(&self) -> (usize, u64) {
        self.items.with_untracked(|l| {
            l.iter()
                .filter(|u| !matches!(u.state.get_untracked(), UploadState::Failed(_)))
                .fold((self.existing_files, self.existing_bytes), |(c, t), u| {
                    (c + 1, t + u.size)
                })
        })
    }

    /// Checks and starts uploading `files`; `pasted` names anonymous clipboard images.
    pub fn add(&self, files: Vec<web_sys::File>, pasted: bool) {
        let mut problems = Vec::new();
        for file in files {
            let size = file.size() as u64;
            let mut name = file.name();
            if pasted && (name.is_empty() || name == "image.png") {
                name = format!("screenshot-{}.png", self.next_id.get_value() + 1);
            }
            let (count, total) = self.kept();
            if let Err(e) = check_attachment(&name, size)
                .and_then(|_| check_attachment_room(&name, size, count, total))
            {
                problems.push(e.message);
                continue;
            }
            self.next_id.update_value(|n| *n += 1);
            let item = UploadItem {
                id: self.next_id.get_value(),
                name,
                size,
                progress: ArcRwSignal::new(0.0),
                state: ArcRwSignal::new(UploadState::Uploading),
                file: SendWrapper::new(file),
                xhr: ArcStoredValue::new(None),
            };
            self.items.update(|l| l.push(item.clone()));
            self.start(item);
        }
        self.refused
            .set((!problems.is_empty()).then(|| problems.join(" ")));
    }

    /// Takes the files of a paste (a screenshot, say) anywhere in the form; text pastes as usual.
    pub fn paste(&self, ev: &leptos::ev::ClipboardEvent) {
        let files = ev
            .clipboard_data()
            .and_then(|d| d.files())
            .map(file_list)
            .unwrap_or_default();
        if !files.is_empty() {
            ev.prevent_default();
            self.add(files, true);
        }
    }

    pub(super) fn retry(&self, id: u32) {
        let Some(item) = self
            .items
            .with_untracked(|l| l.iter().find(|u| u.id == id).cloned())
        else {
            return;
        };
        // A failed file does not count towards the limits, so it must fit again before it is resent.
        let (count, total) = self.kept();
        match check_attachment_room(&item.name, item.size, count, total) {
            Ok(()) => {
                self.refused.set(None);
                self.start(item);
            }
            Err(e) => self.refused.set(Some(e.message)),
        }
    }

    /// Stops or deletes one file.
    pub(super) fn remove(&self, id: u32) {
        let Some(item) = self
            .items
            .with_untracked(|l| l.iter().find(|u| u.id == id).cloned())
        else {
            return;
        };
        if let Some(xhr) = item.xhr.get_value() {
            let _ = xhr.abort();
        }
        if let UploadState::Done(attachment_id) = item.state.get_untracked() {
            // Best effort: the server also sweeps uploads nothing claimed.
            let (client, org_id) = (self.client, self.org_id);
            leptos::task::spawn_local(async move {
                let _ = client.delete_upload(org_id, attachment_id).await;
            });
        }
        self.items.update(|l| l.retain(|u| u.id != id));
        self.refused.set(None);
        focus_by_id(format!("{}-attachments", self.prefix));
    }

    /// Removes every file (and deletes the uploaded ones).
    pub fn clear(&self) {
        for id in self
            .items
            .with_untracked(|l| l.iter().map(|u| u.id).collect::<Vec<_>>())
        {
            self.remove(id);
        }
    }

    /// Empties the list after the files went out with a ticket or comment (they stay on the server).
    pub fn sent(&self) {
        self.items.set(Vec::new());
        self.refused.set(None);
    }

    /// Whether no file is on the list (tracked).
    pub fn is_empty(&self) -> bool {
        self.items.with(Vec::is_empty)
    }

    /// The ids of the uploaded files.
    pub fn done_ids(&self) -> Vec<i64> {
        self.items.with_untracked(|l| {
            l.iter()
                .filter_map(|u| match u.state.get_untracked() {
                    UploadState::Done(id) => Some(id),
                    _ => None,
                })
                .collect()
        })
    }

    /// Why the form cannot be sent yet because of its files, if anything (a refused file does not
    /// block: it was never added).
    pub fn problem(&self) -> Option<String> {
        self.items.with_untracked(|l| {
            l.iter().find_map(|u| match u.state.get_untracked() {
                UploadState::Uploading => Some(format!(
                    "Files: {} is still uploading. Wait until it has finished, or remove it.",
                    u.name
                )),
                UploadState::Failed(_) => Some(format!(
                    "Files: {} did not upload. Retry it or remove it.",
                    u.name
                )),
                UploadState::Done(_) => None,
            })
        })
    }
}

/// The files of a [`FileList`] as a `Vec`.
pub fn file_list(list: web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}
