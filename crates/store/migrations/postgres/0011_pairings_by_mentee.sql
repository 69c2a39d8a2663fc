-- A person's pairings are found from their enrolments on either side: the mentor side had an
-- index, the mentee side only one for live pairings.
CREATE INDEX pairings_by_mentee ON pairings (mentee_enrolment);
