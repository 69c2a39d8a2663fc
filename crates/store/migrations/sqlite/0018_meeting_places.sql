-- A programme's neutral places for in-person meetings (JSON list of strings), suggested in turn.
ALTER TABLE programmes ADD COLUMN meeting_places TEXT NOT NULL DEFAULT '[]';
