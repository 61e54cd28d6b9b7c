-- Mission alerts beyond a person's own groups: public missions at their postcode or in their
-- département (`alert_reach`: off, postcode or departement; the département is kept with the
-- postcode so the alert finds its people by index), and whether they asked for every mission
-- alert by e-mail rather than one a day at most.
ALTER TABLE users ADD COLUMN alert_reach TEXT NOT NULL DEFAULT 'off';
ALTER TABLE users ADD COLUMN alert_postcode TEXT;
ALTER TABLE users ADD COLUMN alert_departement TEXT;
ALTER TABLE users ADD COLUMN alert_every_email BIGINT NOT NULL DEFAULT 0;
CREATE INDEX users_alert_postcode ON users(alert_postcode) WHERE alert_reach = 'postcode';
CREATE INDEX users_alert_departement ON users(alert_departement) WHERE alert_reach = 'departement';
