-- Frozen schema of kiosk.db version 0: an empty file (a kiosk's first
-- start). See v1.sql for the rules of this folder.
PRAGMA user_version = 0;
