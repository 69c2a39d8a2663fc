//! The pair's meetings as iCalendar (RFC 5545, written with the `icalendar` crate): one file
//! per pairing for its members, and a private, revocable feed per person that calendar apps
//! subscribe to. Times are written in UTC (RFC 5545 §3.3.5, form 2), which every calendar shows
//! in its owner's zone, so no time zone definitions are needed and clock changes cannot shift a
//! meeting (decision 023). A change (a cancellation, a move) raises the event's `SEQUENCE`, so
//! subscribers replace their copy. Notes and topics never go into a calendar: calendar services
//! are outside the pair.

use std::collections::HashMap;

use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use jiff::Timestamp;
use upward_domain::schedule::MeetingChannel;
use upward_domain::{Meeting, MeetingId, MeetingStatus, Pairing, PairingId, PairingState, User};

use crate::auth::new_token;
use crate::meetings::side_of;
use crate::{App, AppError, AppResult};

impl App {
    /// The pair's meetings as an iCalendar file, for one of the pair.
    pub async fn pairing_calendar(&self, user: &User, id: PairingId) -> AppResult<String> {
        let pairing = self.own_pairing(user, id).await?;
        let meetings = self.store.pairing_meetings(id).await?;
        let places = self.pair_context(&pairing).await?.places;
        let entries: Vec<Entry> = meetings
            .iter()
            .map(|meeting| (&pairing, meeting, places.get(&meeting.id)))
            .collect();
        Ok(self.calendar(
            &format!("Reverse mentoring with {}", partner_name(&pairing, user)),
            user,
            &entries,
        ))
    }

    /// One of the user's meetings as an iCalendar file.
    pub async fn meeting_calendar(&self, user: &User, id: MeetingId) -> AppResult<String> {
        let meeting = self.my_meeting(user, id).await?;
        let pairing = self.own_pairing(user, meeting.pairing).await?;
        let meetings = self.store.pairing_meetings(pairing.id).await?;
        let places = self.pair_context(&pairing).await?.places;
        let entries: Vec<Entry> = meetings
            .iter()
            .filter(|m| m.id == id)
            .map(|m| (&pairing, m, places.get(&m.id)))
            .collect();
        Ok(self.calendar(
            &format!("Reverse mentoring with {}", partner_name(&pairing, user)),
            user,
            &entries,
        ))
    }

    /// The address of the user's private calendar feed, made on first asking.
    pub async fn calendar_feed_url(&self, user: &User) -> AppResult<String> {
        let token = self
            .store
            .calendar_feed(&user.email.key(), &new_token())
            .await?;
        Ok(format!(
            "{}/api/v1/calendar-feeds/{token}.ics",
            self.settings.base_url()
        ))
    }

    /// Revokes the user's feed: its address stops working, and asking again makes a new one.
    pub async fn revoke_calendar_feed(&self, user: &User) -> AppResult<bool> {
        Ok(self.store.revoke_calendar_feed(&user.email.key()).await?)
    }

    /// The feed a token opens: every meeting of its owner's pairings. An unknown or revoked
    /// token is not found.
    pub async fn feed_calendar(&self, token: &str) -> AppResult<String> {
        let not_found =
            || AppError::NotFound("that calendar feed (it may have been revoked)".into());
        let owner = self
            .store
            .calendar_feed_owner(token)
            .await?
            .ok_or_else(not_found)?;
        let user = match self.store.credentials(&owner).await? {
            Some(credentials) => credentials.user,
            None => return Err(not_found()),
        };
        let pairings: HashMap<PairingId, Pairing> = self
            .store
            .person_pairings(&owner)
            .await?
            .into_iter()
            .map(|pairing| (pairing.id, pairing))
            .collect();
        let meetings = self.store.person_meetings(&owner).await?;
        let mut places = HashMap::new();
        for pairing in pairings.values() {
            places.extend(self.pair_context(pairing).await?.places);
        }
        let entries: Vec<Entry> = meetings
            .iter()
            .filter_map(|meeting| {
                Some((
                    pairings.get(&meeting.pairing)?,
                    meeting,
                    places.get(&meeting.id),
                ))
            })
            .collect();
        Ok(self.calendar("Reverse mentoring", &user, &entries))
    }

    fn calendar(&self, name: &str, viewer: &User, entries: &[Entry]) -> String {
        let base = self.settings.base_url();
        let host = base
            .split("://")
            .nth(1)
            .unwrap_or(&base)
            .split(['/', ':'])
            .next()
            .unwrap_or("upward");
        let now = Timestamp::now();
        // Empty, then the three properties a calendar starts with, so that PRODID names Upward.
        let mut calendar = Calendar::empty();
        for (key, value) in [
            ("VERSION", "2.0"),
            ("PRODID", "-//Upward//Reverse mentoring//EN"),
            ("CALSCALE", "GREGORIAN"),
        ] {
            calendar.append_property(Property::new(key, value));
        }
        calendar.name(name);
        for (pairing, meeting, place) in entries {
            calendar.push(event(pairing, meeting, *place, viewer, &base, host, now));
        }
        calendar.done().to_string()
    }
}

/// A meeting in a calendar, with its pairing and the place suggested for it.
type Entry<'a> = (&'a Pairing, &'a Meeting, Option<&'a String>);

fn partner_name<'p>(pairing: &'p Pairing, user: &User) -> &'p str {
    pairing.name_of(side_of(pairing, user).other())
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn event(
    pairing: &Pairing,
    meeting: &Meeting,
    place: Option<&String>,
    viewer: &User,
    base: &str,
    host: &str,
    now: Timestamp,
) -> Event {
    // A meeting still ahead of a pairing that has ended will not take place: calendars are told
    // so, as a change.
    let called_off = meeting.status == MeetingStatus::Cancelled
        || (meeting.status == MeetingStatus::Scheduled
            && meeting.start > now
            && pairing.state != PairingState::Active);
    let sequence =
        meeting.sequence + i64::from(called_off && meeting.status != MeetingStatus::Cancelled);
    let place = match (meeting.channel, place) {
        (MeetingChannel::Virtual, _) => "Virtual meeting".to_owned(),
        (MeetingChannel::InPerson, Some(place)) => format!("In person: {place}"),
        (MeetingChannel::InPerson, None) => {
            "In person, at a neutral place you agree (not either office)".to_owned()
        }
    };
    Event::new()
        .uid(&format!("meeting-{}@{host}", meeting.id.0))
        .add_property("DTSTAMP", utc(now))
        .add_property("DTSTART", utc(meeting.start))
        .add_property("DTEND", utc(meeting.end))
        .sequence(u32::try_from(sequence).unwrap_or(u32::MAX))
        .status(if called_off {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        })
        .summary(&format!(
            "Reverse mentoring with {}",
            partner_name(pairing, viewer)
        ))
        .location(&place)
        .description(&format!(
            "Your pairing's page: {base}/pairings/{}",
            pairing.id.0
        ))
        .done()
}
