//! The Files field: the limits, the secrets warning, a drop zone with its file picker, and one row per
//! file with its progress, Retry and Remove.

use api::Field;
use api::format::format_bytes;
use api::ticket::{
    ALLOWED_EXTENSIONS, ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX, ATTACHMENTS_TOTAL_MAX_BYTES,
};
use leptos::prelude::*;

use super::uploads::{UploadItem, UploadState, file_list};
use super::{FieldError, FieldErrors, Uploads};

/// The Files field: limits, the secrets warning, the drop zone with its file picker, and the list.
/// It shows the form's message for `attachments`, or why files were refused before upload.
#[component]
pub fn FileField(uploads: Uploads, errors: FieldErrors) -> impl IntoView {
    const ATTACHMENTS: Field = Field::Attachments;
    let message = errors.message(ATTACHMENTS);
    let prefix = uploads.prefix;
    let dragging = RwSignal::new(false);
    let items = uploads.items;
    let shown = Signal::derive(move || uploads.refused.get().or_else(|| message.get()));
    let hint = format!("{prefix}-files-hint");
    let described = {
        let hint = hint.clone();
        move || errors.describe(ATTACHMENTS, shown.with(Option::is_some), Some(&hint))
    };
    view! {
        <div class="sa-field" role="group" aria-labelledby=format!("{prefix}-files-label")>
            <span id=format!("{prefix}-files-label") class="sa-label">"Files (optional)"</span>
            <p id=hint class="sa-hint">
                {format!(
                    "Screenshots, logs or HAR files: up to {ATTACHMENTS_MAX} files, {} each and {} in total. Accepted types: {ALLOWED_EXTENSIONS}.",
                    format_bytes(ATTACHMENT_MAX_BYTES),
                    format_bytes(ATTACHMENTS_TOTAL_MAX_BYTES),
                )}
            </p>
            <p class="sa-callout sa-callout-important">
                <strong>"Remove secrets first. "</strong>
                "Logs and HAR files often contain passwords, API tokens and session cookies. Delete them from the file before you upload it."
            </p>
            <div
                class="sa-dropzone"
                class:sa-dropzone-active=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    dragging.set(false);
                    let files = ev.data_transfer().and_then(|d| d.files()).map(file_list).unwrap_or_default();
                    uploads.add(files, false);
                }
            >
                <input
                    id=errors.id(ATTACHMENTS)
                    class="sa-visually-hidden sa-file-input"
                    type="file"
                    multiple
                    accept=".png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.log,.json,.har,.csv,.zip,.gz"
                    aria-describedby=described
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        let files = input.files().map(file_list).unwrap_or_default();
                        // Cleared, so choosing the same file again (after removing it) fires `change`.
                        input.set_value("");
                        uploads.add(files, false);
                    }
                />
                <label for=errors.id(ATTACHMENTS) class="sa-button">"Choose files"</label>
                <span class="sa-muted">" or drag them here, or paste a screenshot."</span>
            </div>
            <FieldError errors=errors field=ATTACHMENTS message=shown />
            <ul class="sa-uploads" hidden=move || items.with(Vec::is_empty) aria-label="Files to attach">
                <For each=move || items.get() key=|u| u.id let(item)>
                    <UploadRow
                        item=item.clone()
                        retry=Callback::new(move |_| uploads.retry(item.id))
                        remove=Callback::new(move |_| uploads.remove(item.id))
                    />
                </For>
            </ul>
        </div>
    }
}

/// One file in the list: name, size, progress or outcome, Retry and Remove.
#[component]
fn UploadRow(item: UploadItem, retry: Callback<()>, remove: Callback<()>) -> impl IntoView {
    let name = item.name.clone();
    let state = item.state.clone();
    let progress = item.progress.clone();
    let status = {
        let state = state.clone();
        move || match state.get() {
            UploadState::Uploading => {
                format!("Uploading, {}%", (progress.get() * 100.0).round() as u32)
            }
            UploadState::Done(_) => "Uploaded".to_owned(),
            UploadState::Failed(message) => message,
        }
    };
    let failed = {
        let state = state.clone();
        move || matches!(state.get(), UploadState::Failed(_))
    };
    let failed_role = failed.clone();
    view! {
        <li class="sa-upload" class:sa-upload-failed=failed.clone()>
            <span class="sa-upload-name">{name.clone()}</span>
            <span class="sa-muted">{format_bytes(item.size)}</span>
            <progress
                max="1"
                prop:value={
                    let progress = item.progress.clone();
                    let state = state.clone();
                    move || if matches!(state.get(), UploadState::Done(_)) { 1.0 } else { progress.get() }
                }
                aria-label=format!("Upload of {name}")
            ></progress>
            // Failures are announced; progress is not (a screen reader would read every percent).
            <span class="sa-upload-status" role=move || if failed_role() { Some("alert") } else { None }>{status}</span>
            <span class="sa-upload-actions">
                <Show when=failed.clone()>
                    <button type="button" class="sa-link-button" on:click=move |_| retry.run(()) aria-label=format!("Retry {}", item.name)>
                        "Retry"
                    </button>
                </Show>
                <button type="button" class="sa-link-button" on:click=move |_| remove.run(()) aria-label=format!("Remove {name}")>
                    "Remove"
                </button>
            </span>
        </li>
    }
}
