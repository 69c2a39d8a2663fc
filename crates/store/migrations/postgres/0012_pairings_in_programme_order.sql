-- A programme's pairings are listed a page at a time in the order they were made: without this
-- index every page sorted all of the programme's pairings first.
CREATE INDEX pairings_by_programme_in_order ON pairings (programme_id, id);
