//! How full an event is, as the pages say it: "4/6 inscrit·es", "Complet", or the number of
//! participants when places are not limited.

use crate::{service::events::Fill, web::Ctx};

impl Ctx {
    /// An event's fill on one line: taken over places when limited (a mission's summed over
    /// its shifts), otherwise the number of participants.
    pub fn fill_line(&self, fill: &Fill) -> String {
        match fill.capacity {
            Some(capacity) => crate::i18n::t_args(
                self.locale,
                "event-fill",
                &[
                    ("taken", fill.taken.to_string()),
                    ("capacity", capacity.to_string()),
                ],
            ),
            None => self.ta("event-participants", "count", &fill.taken.to_string()),
        }
    }
}
