//! The affected projects and services of a ticket (the documentation's "Enter the ID of the affected
//! projects and services"): how an entry is written, how it is matched against the organization's own,
//! and how many a ticket may list. The form uses these for instant feedback; the server, as the final
//! word, resolves every entry again against the organization of the request.

use serde::{Deserialize, Serialize};

use crate::field::Field;
use crate::org::Project;
use crate::ticket::wire::NamedRef;
use crate::validate::{FieldError, check_single_line};

/// Most projects and services one ticket may list: more would say "everything", which the support team
/// cannot act on better than "nothing specific".
pub const RESOURCES_MAX: usize = 20;

/// Longest part of an unknown entry quoted back in its message, in characters: a pasted log line must
/// not become a page-long error.
const QUOTED_MAX_CHARS: usize = 60;

/// One affected resource: a project, or a service of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AffectedResource {
    /// The project, or the project the service runs in.
    pub project: NamedRef,
    /// The service, when the entry names one.
    #[serde(default)]
    pub service: Option<NamedRef>,
}

impl AffectedResource {
    /// The ID as customers write it: the project's name (`acme-prod`, the console's project ID), or
    /// `project/service` for a service (`acme-prod/pg-main`), which is unique where a service name alone
    /// may not be.
    pub fn id_text(&self) -> String {
        match &self.service {
            Some(service) => format!("{}/{}", self.project.name, service.name),
            None => self.project.name.clone(),
        }
    }

    /// Whether both name the same project or service.
    pub fn same_as(&self, other: &Self) -> bool {
        self.project.id == other.project.id
            && self.service.as_ref().map(|s| s.id) == other.service.as_ref().map(|s| s.id)
    }
}

/// The entries in typed or pasted text: separated by whitespace (new lines too), commas or semicolons,
/// as a list copied from a spreadsheet, an email or the console comes.
pub fn split_resources(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
}

fn named(id: i64, name: &str) -> NamedRef {
    NamedRef {
        id,
        name: name.to_owned(),
    }
}

fn message(text: String) -> FieldError {
    FieldError::new(
        Field::Resources,
        format!("{}: {text}", Field::Resources.label()),
    )
}

/// "No project or service named “foo”". The same words for a name that exists in another organization:
/// whether it does is not revealed.
fn unknown(entry: &str) -> FieldError {
    let mut quoted: String = entry.chars().take(QUOTED_MAX_CHARS).collect();
    if entry.chars().nth(QUOTED_MAX_CHARS).is_some() {
        quoted.push('\u{2026}');
    }
    message(format!(
        "no project or service named \u{201c}{quoted}\u{201d} in your organization."
    ))
}

/// Finds one entry among `projects` (the organization's): a project's name, `project/service`, or a
/// service's name alone when exactly one project has a service of that name. Names match without
/// regard to ASCII case, as console IDs are lowercase and people type them otherwise.
pub fn resolve_resource(projects: &[Project], entry: &str) -> Result<AffectedResource, FieldError> {
    let entry = entry.trim();
    // Before the lookup, so that the "no project named" message never quotes a control character.
    check_single_line(Field::Resources, entry)?;
    let project_named = |name: &str| projects.iter().find(|p| p.name.eq_ignore_ascii_case(name));
    if let Some((project, service)) = entry.split_once('/') {
        let found = project_named(project).and_then(|p| {
            p.services
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(service))
                .map(|s| AffectedResource {
                    project: named(p.id, &p.name),
                    service: Some(named(s.id, &s.name)),
                })
        });
        return found.ok_or_else(|| unknown(entry));
    }
    if let Some(p) = project_named(entry) {
        return Ok(AffectedResource {
            project: named(p.id, &p.name),
            service: None,
        });
    }
    let mut services = projects.iter().flat_map(|p| {
        p.services
            .iter()
            .filter(|s| s.name.eq_ignore_ascii_case(entry))
            .map(move |s| (p, s))
    });
    match (services.next(), services.next()) {
        (Some((p, s)), None) => Ok(AffectedResource {
            project: named(p.id, &p.name),
            service: Some(named(s.id, &s.name)),
        }),
        (Some((p, s)), Some(_)) => Err(message(format!(
            "several projects have a service named \u{201c}{}\u{201d}; enter it with its project, as in {}/{}.",
            s.name, p.name, s.name
        ))),
        (None, _) => Err(unknown(entry)),
    }
}

/// "List at most 20".
pub fn too_many_resources(count: usize) -> FieldError {
    message(format!(
        "list at most {RESOURCES_MAX} projects and services; this has {count}."
    ))
}

/// Every entry resolved against `projects`, the same project or service listed twice kept once, in
/// the order given. The first problem otherwise: more than [`RESOURCES_MAX`] entries, or an entry
/// that is not the organization's.
pub fn resolve_resources(
    projects: &[Project],
    entries: &[String],
) -> Result<Vec<AffectedResource>, FieldError> {
    if entries.len() > RESOURCES_MAX {
        return Err(too_many_resources(entries.len()));
    }
    let mut list: Vec<AffectedResource> = Vec::with_capacity(entries.len());
    for entry in entries {
        let resource = resolve_resource(projects, entry)?;
        if !list.iter().any(|r| r.same_as(&resource)) {
            list.push(resource);
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::Service;

    fn projects() -> Vec<Project> {
        let project = |id, name: &str, services: &[(i64, &str)]| Project {
            id,
            name: name.into(),
            unit: None,
            services: services
                .iter()
                .map(|&(id, name)| Service {
                    id,
                    name: name.into(),
                })
                .collect(),
        };
        vec![
            project(1, "acme-prod", &[(10, "pg-main"), (11, "kafka-events")]),
            project(2, "acme-staging", &[(20, "pg-main"), (21, "pg-staging")]),
        ]
    }

    fn ids(entries: &[&str]) -> Result<Vec<String>, String> {
        let entries: Vec<String> = entries.iter().map(|s| (*s).to_owned()).collect();
        resolve_resources(&projects(), &entries)
            .map(|list| list.iter().map(AffectedResource::id_text).collect())
            .map_err(|e| e.message)
    }

    #[test]
    fn pasted_text_splits_on_commas_whitespace_semicolons_and_new_lines() {
        let entries: Vec<&str> =
            split_resources(" acme-prod,acme-staging/pg-main\n\tkafka-events;; x ").collect();
        assert_eq!(
            entries,
            ["acme-prod", "acme-staging/pg-main", "kafka-events", "x"]
        );
        assert_eq!(split_resources(" ,\n ").count(), 0);
    }

    #[test]
    fn projects_services_and_unique_service_names_resolve_to_their_ids() {
        assert_eq!(
            ids(&["acme-prod", "ACME-STAGING/pg-staging", "kafka-events"]).unwrap(),
            [
                "acme-prod",
                "acme-staging/pg-staging",
                "acme-prod/kafka-events"
            ]
        );
        let service = resolve_resource(&projects(), "acme-staging/PG-MAIN").unwrap();
        assert_eq!(
            (service.project.id, service.service.map(|s| s.id)),
            (2, Some(20))
        );
    }

    #[test]
    fn an_unknown_entry_is_named_in_the_message() {
        assert_eq!(
            ids(&["acme-prod", "foo"]).unwrap_err(),
            "Projects and services: no project or service named \u{201c}foo\u{201d} in your organization."
        );
        // A service of another project, or a project of another organization, reads the same way.
        assert!(
            ids(&["acme-prod/pg-staging"])
                .unwrap_err()
                .contains("\u{201c}acme-prod/pg-staging\u{201d}")
        );
        assert!(
            ids(&["globex-prod"])
                .unwrap_err()
                .contains("\u{201c}globex-prod\u{201d}")
        );
        assert!(ids(&["/"]).is_err());
        assert!(ids(&[""]).is_err());
    }

    #[test]
    fn a_long_unknown_entry_is_quoted_shortened() {
        let message = ids(&[&"x".repeat(500)]).unwrap_err();
        assert!(message.contains(&format!("\u{201c}{}\u{2026}\u{201d}", "x".repeat(60))));
        assert!(message.len() < 200);
    }

    #[test]
    fn a_service_name_in_several_projects_asks_for_its_project() {
        assert_eq!(
            ids(&["pg-main"]).unwrap_err(),
            "Projects and services: several projects have a service named \u{201c}pg-main\u{201d}; enter it with its project, as in acme-prod/pg-main."
        );
    }

    #[test]
    fn the_same_resource_twice_is_kept_once() {
        assert_eq!(
            ids(&[
                "acme-prod/kafka-events",
                "kafka-events",
                "acme-prod",
                "Acme-Prod"
            ])
            .unwrap(),
            ["acme-prod/kafka-events", "acme-prod"]
        );
    }

    #[test]
    fn at_most_twenty_entries() {
        let twenty = vec!["acme-prod"; RESOURCES_MAX];
        assert_eq!(ids(&twenty).unwrap(), ["acme-prod"]);
        let mut more = twenty.clone();
        more.push("acme-staging");
        assert_eq!(
            ids(&more).unwrap_err(),
            "Projects and services: list at most 20 projects and services; this has 21."
        );
    }
}
