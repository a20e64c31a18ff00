-- One database per service (seed 000 §3.6.2: user_db, meeting_db, …; named quorum_<service>
-- here). Run once by the postgres image's /docker-entrypoint-initdb.d on an empty volume.
-- The services create their tables themselves (migrations at start-up).
CREATE DATABASE quorum_identity;
CREATE DATABASE quorum_meeting;
CREATE DATABASE quorum_transcript;
CREATE DATABASE quorum_ai;
CREATE DATABASE quorum_todo;
CREATE DATABASE quorum_notification;
