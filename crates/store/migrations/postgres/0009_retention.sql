-- When a closed programme's personal answers were removed under the retention setting.
ALTER TABLE programmes ADD COLUMN personal_data_removed_at BIGINT;
