//! The meeting service's schema (scope `"meeting"`), in portable SQL (see `quorum_store`).
//! Statements are split on `;`, so seeded text must not contain one.

use quorum_store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        1,
        "meetings",
        "CREATE TABLE meetings (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            status TEXT NOT NULL,
            owner_id TEXT NOT NULL,
            scheduled_at BIGINT NOT NULL,
            started_at BIGINT,
            ended_at BIGINT,
            agenda TEXT,
            notes TEXT,
            template_id TEXT,
            progress_completed BIGINT NOT NULL DEFAULT 0,
            progress_total BIGINT NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE meeting_participants (
            meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            position BIGINT NOT NULL,
            added_at BIGINT NOT NULL,
            PRIMARY KEY (meeting_id, user_id)
        );
        CREATE INDEX meeting_participants_user ON meeting_participants (user_id, meeting_id);
        CREATE INDEX meetings_status ON meetings (status, scheduled_at)",
    ),
    Migration::new(
        2,
        "directory",
        "CREATE TABLE directory (
            user_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            locale TEXT,
            updated_at BIGINT NOT NULL
        )",
    ),
    Migration::new(
        3,
        "templates",
        r#"CREATE TABLE meeting_templates (
            id TEXT PRIMARY KEY,
            position BIGINT NOT NULL,
            name_ko TEXT NOT NULL,
            name_en TEXT NOT NULL,
            description_ko TEXT NOT NULL,
            description_en TEXT NOT NULL,
            sections TEXT NOT NULL,
            duration_minutes BIGINT NOT NULL
        );
        INSERT INTO meeting_templates VALUES ('weekly-sync', 1, '주간 회의', 'Weekly sync',
            '지난주 진행 상황을 공유하고 이번 주 우선순위를 정합니다.',
            'Share progress since last week and agree on this week''s priorities.',
            '[{"ko":"지난주 진행 상황","en":"Progress since last week"},{"ko":"이번 주 우선순위","en":"Priorities this week"},{"ko":"이슈 및 도움 요청","en":"Blockers and requests for help"},{"ko":"액션 아이템","en":"Action items"}]',
            30);
        INSERT INTO meeting_templates VALUES ('one-on-one', 2, '1:1 면담', '1:1',
            '매니저와 팀원이 업무, 성장, 피드백에 대해 이야기합니다.',
            'A manager and a team member talk about work, growth and feedback.',
            '[{"ko":"근황 나누기","en":"Check-in"},{"ko":"진행 중인 업무","en":"Current work"},{"ko":"피드백","en":"Feedback, both ways"},{"ko":"성장과 커리어","en":"Growth and career"},{"ko":"다음 액션","en":"Next steps"}]',
            30);
        INSERT INTO meeting_templates VALUES ('retrospective', 3, '회고', 'Retrospective',
            '지난 기간을 돌아보고 개선할 점을 합의합니다.',
            'Look back on the last iteration and agree on improvements.',
            '[{"ko":"잘된 점","en":"What went well"},{"ko":"아쉬운 점","en":"What did not go well"},{"ko":"배운 점","en":"What we learned"},{"ko":"개선 액션","en":"Improvement actions"}]',
            60);
        INSERT INTO meeting_templates VALUES ('kickoff', 4, '프로젝트 킥오프', 'Project kickoff',
            '새 프로젝트의 목표, 범위, 역할과 일정을 맞춥니다.',
            'Align on the goals, scope, roles and timeline of a new project.',
            '[{"ko":"배경과 목표","en":"Background and goals"},{"ko":"범위","en":"Scope"},{"ko":"역할과 책임","en":"Roles and responsibilities"},{"ko":"일정과 마일스톤","en":"Timeline and milestones"},{"ko":"리스크","en":"Risks"},{"ko":"다음 단계","en":"Next steps"}]',
            60)"#,
    ),
    Migration::new(
        4,
        "recordings",
        "CREATE TABLE recordings (
            id TEXT PRIMARY KEY,
            meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            participant_id TEXT NOT NULL,
            uploaded_by TEXT NOT NULL,
            format TEXT NOT NULL,
            size_bytes BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            duration_ms BIGINT NOT NULL,
            path TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX recordings_meeting ON recordings (meeting_id, created_at, id)",
    ),
    Migration::new(
        5,
        "platform_directory",
        "INSERT INTO user_directory (user_id, name, email, locale, deleted, updated_at)
            SELECT user_id, name, email, locale, 0, updated_at FROM directory;
        DROP TABLE directory",
    ),
    // What each user's uploads cost in transcription (`crate::quota`), kept 24 hours and
    // apart from the recordings, so deleting a meeting does not give its quota back.
    Migration::new(
        6,
        "recording_usage",
        "CREATE TABLE recording_usage (
            recording_id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            charged_ms BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX recording_usage_user ON recording_usage (user_id, created_at);
        CREATE INDEX recording_usage_created ON recording_usage (created_at);
        INSERT INTO recording_usage (recording_id, user_id, charged_ms, created_at)
            SELECT id, uploaded_by, duration_ms, created_at FROM recordings",
    ),
];
