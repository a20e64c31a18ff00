//! Writes a plan's notifications: per recipient, after their preferences, an in-app
//! notification and an e-mail delivery (rendered in their language) whose job goes into the
//! outbox — all inside the consumer's transaction. Both are keyed by (event, recipient[,
//! channel]), so even without the inbox a replay could not notify twice.

use quorum_bus::Envelope;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use super::plan::Plan;
use crate::app::AppState;
use crate::domain::Locale;
use crate::error::ApiError;
use crate::mail;
use crate::repository::deliveries::{self, NewDelivery};
use crate::repository::notifications::{self, NotificationRecord};
use crate::repository::preferences;
use crate::templates;
use crate::views::NotificationView;

/// What was written: the in-app notifications (to stream after commit) and e-mails queued.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub(crate) in_app: Vec<(Uuid, NotificationView)>,
    pub(crate) emails: usize,
}

pub(crate) async fn write(
    state: &AppState,
    tx: &mut Tx,
    envelope: &Envelope,
    plan: &Plan,
) -> Result<Written, ApiError> {
    let mut written = Written::default();
    let hint = plan
        .facts
        .todo_title
        .as_deref()
        .filter(|_| plan.facts.meeting_title.is_empty())
        .unwrap_or(&plan.facts.meeting_title);
    for &user in &plan.recipients {
        let prefs = preferences::get(tx, user).await?;
        let (in_app, email) = prefs.wants(plan.kind);
        let contact = quorum_directory::lookup(tx, user).await?;
        let locale = Locale::choose(contact.as_ref().and_then(|c| c.locale.as_deref()), hint);
        let rendered = templates::render(plan.kind, locale, &plan.facts);
        let now = now_millis();
        let mut notification_id = None;
        if in_app {
            let record = NotificationRecord {
                id: Uuid::now_v7(),
                event_id: envelope.id,
                user_id: user,
                kind: plan.kind.as_str().to_string(),
                title: rendered.title.clone(),
                body: rendered.body.clone(),
                link: Some(plan.link.clone()),
                data: plan.data.clone(),
                created_at: now,
                read_at: None,
                meeting_id: plan.meeting_id,
            };
            if notifications::insert(tx, &record).await? {
                notification_id = Some(record.id);
                written.in_app.push((user, record.into()));
            }
        }
        let Some(contact) = contact.filter(|c| email && state.email_enabled && !c.email.is_empty())
        else {
            continue;
        };
        let url = format!("{}{}", state.public_url, plan.link);
        let mail = templates::email(locale, &contact.name, &rendered, &url);
        let delivery = NewDelivery {
            id: Uuid::now_v7(),
            event_id: envelope.id,
            user_id: user,
            notification_id,
            meeting_id: plan.meeting_id,
            kind: plan.kind.as_str().to_string(),
            address: contact.email,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        };
        if deliveries::insert(tx, &delivery, now).await? {
            mail::enqueue(&state.outbox, tx, delivery.id).await?;
            written.emails += 1;
        }
    }
    Ok(written)
}
