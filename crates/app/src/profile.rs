//! What people keep current themselves: their time zone, location and preferred time of day.

use upward_domain::{FieldProblem, OwnProfile, PreferredTime, TimeZoneName, User};

use crate::{App, AppError, AppResult};

impl App {
    /// The user's own profile; `None` for an account outside the directory (an admin, say).
    pub async fn own_profile(&self, user: &User) -> AppResult<Option<OwnProfile>> {
        Ok(self.store.own_profile(&user.email.key()).await?)
    }

    /// Saves the user's time zone, location and preferred time; matching runs from now on use
    /// them. The directory still wins: its next update replaces the time zone and location.
    pub async fn save_own_profile(
        &self,
        user: &User,
        time_zone: &str,
        location: &str,
        preferred_time: &str,
    ) -> AppResult<OwnProfile> {
        let mut problems = Vec::new();
        let mut check = |field: &'static str, result: Result<(), upward_domain::FieldError>| {
            if let Err(error) = result {
                problems.push(FieldProblem {
                    field,
                    problem: error.0,
                });
            }
        };
        let zone = TimeZoneName::parse(time_zone);
        check("time_zone", zone.as_ref().map(|_| ()).map_err(Clone::clone));
        let bounded = upward_domain::text::bounded(location, "the location", 200);
        check("location", bounded.map(|_| ()));
        let preferred = preferred_time.parse::<PreferredTime>();
        check(
            "preferred_time",
            preferred.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let (Ok(zone), Ok(preferred)) = (zone, preferred) else {
            return Err(AppError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let location = upward_domain::text::optional(location);
        Ok(self
            .store
            .save_own_profile(&user.email.key(), &zone, location.as_deref(), preferred)
            .await?)
    }
}
