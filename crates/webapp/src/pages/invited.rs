//! The people already invited to a meeting, as its change form shows them: one ticked box
//! each, by name (the API never shows another user's e-mail address), untick to uninvite.
//! Anyone new is written in the invitation field as when scheduling.

use maud::{html, Markup};
use uuid::Uuid;

use crate::api::ApiFailure;
use crate::i18n::Tr;
use crate::session::SignedIn;
use crate::AppState;

/// An invited participant (the owner is not one: they always stay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invited {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    /// Whether they stay invited.
    pub(crate) kept: bool,
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meeting {
    owner_id: Uuid,
    participants: Vec<Person>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    user_id: Uuid,
    name: String,
}

/// The participants of `meeting` as [`people`] lists them.
pub(crate) async fn of(
    state: &AppState,
    user: &SignedIn,
    meeting: Uuid,
) -> Result<Vec<Invited>, ApiFailure> {
    let m: Meeting = user.get(state, &format!("/api/meetings/{meeting}")).await?;
    Ok(people(
        m.owner_id,
        m.participants.into_iter().map(|p| (p.user_id, p.name)),
    ))
}

/// `participants` (id and name) but the owner, all kept; a deleted user (no name any more)
/// is left out, so saving the form uninvites them.
pub(crate) fn people(
    owner: Uuid,
    participants: impl IntoIterator<Item = (Uuid, String)>,
) -> Vec<Invited> {
    participants
        .into_iter()
        .filter(|(id, name)| *id != owner && !name.trim().is_empty())
        .map(|(id, name)| Invited {
            id,
            name,
            kept: true,
        })
        .collect()
}

/// `invited` with only those whose box is ticked in the submitted `fields` kept.
pub(crate) fn ticked(mut invited: Vec<Invited>, fields: &[(String, String)]) -> Vec<Invited> {
    for person in &mut invited {
        let id = person.id.to_string();
        person.kept = fields.iter().any(|(k, v)| k == "keep" && *v == id);
    }
    invited
}

/// The boxes, or nothing when nobody is invited yet.
pub(crate) fn fields(tr: &Tr<'_>, invited: &[Invited]) -> Markup {
    html! {
        @if !invited.is_empty() {
            fieldset id="invited" {
                legend { (tr.t("meeting.field.invited")) }
                @for p in invited {
                    label.check {
                        input type="checkbox" name="keep" value=(p.id) checked[p.kept];
                        " " (p.name)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_and_deleted_users_are_not_listed_and_unticked_boxes_uninvite() {
        let (owner, bo, gone, cy) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let listed = people(
            owner,
            [(owner, "Dana"), (bo, "Bo Han"), (gone, ""), (cy, "Cy")]
                .map(|(id, name)| (id, name.to_owned())),
        );
        let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Bo Han", "Cy"]);
        let fields = [
            ("title".to_owned(), "x".to_owned()),
            ("keep".to_owned(), cy.to_string()),
        ];
        let kept: Vec<bool> = ticked(listed, &fields).iter().map(|p| p.kept).collect();
        assert_eq!(kept, [false, true]);
    }
}
