//! The one portable `table!` file: only types both backends share (Text ids, naive-UTC
//! Timestamp, BigInt money, Bool). Written by hand to match both migration folders; the
//! `db` test binary checks the two folders stay in step.

diesel::table! {
    agencies (code) {
        code -> Text,
        name -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    categories (code) {
        code -> Text,
        name -> Text,
        dispute_lead -> Text,
        violation_lead -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        role -> Text,
        agency_code -> Nullable<Text>,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        email -> Nullable<Text>,
        must_change_password -> Bool,
        totp_secret -> Nullable<Text>,
        totp_pending -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
        unit_code -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        tracking_code -> Text,
        kind -> Text,
        category -> Text,
        channel -> Text,
        status -> Text,
        outcome -> Nullable<Text>,
        return_status -> Nullable<Text>,
        priority -> Bool,
        description -> Text,
        consumer_request -> Nullable<Text>,
        amount_vnd -> Nullable<BigInt>,
        transaction_date -> Nullable<Date>,
        consumer_name -> Text,
        consumer_phone -> Text,
        consumer_phone_last4 -> Text,
        consumer_email -> Nullable<Text>,
        consumer_address -> Nullable<Text>,
        consumer_commune -> Nullable<Text>,
        consumer_province -> Nullable<Text>,
        vulnerable -> Text,
        consent_at -> Nullable<Timestamp>,
        business_name -> Nullable<Text>,
        business_tax_code -> Nullable<Text>,
        business_address -> Nullable<Text>,
        business_website -> Nullable<Text>,
        business_shop_link -> Nullable<Text>,
        current_agency -> Nullable<Text>,
        pending_transfer_to -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        mediator_id -> Nullable<Text>,
        call_id -> Nullable<Text>,
        suggestion -> Text,
        search_text -> Text,
        business_key -> Nullable<Text>,
        possible_duplicate_of -> Nullable<Text>,
        due_at -> Nullable<Timestamp>,
        version -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        event_count -> Integer,
        head_hash -> Text,
        unit_code -> Nullable<Text>,
        visible_to -> Text,
        product -> Nullable<Text>,
        product_key -> Nullable<Text>,
    }
}

diesel::table! {
    case_agencies (case_id, agency_code) {
        case_id -> Text,
        agency_code -> Text,
        provisional -> Bool,
    }
}

diesel::table! {
    routing_corrections (id) {
        id -> Text,
        case_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        source -> Text,
        text -> Text,
        suggested_kind -> Text,
        suggested_category -> Text,
        suggested_agency -> Nullable<Text>,
        final_kind -> Text,
        final_category -> Text,
        final_agency -> Nullable<Text>,
    }
}

diesel::table! {
    case_events (case_id, seq) {
        case_id -> Text,
        seq -> Integer,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Text,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        data -> Text,
        public_message -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
        alg -> Text,
        state_hash -> Nullable<Text>,
    }
}

diesel::table! {
    calls (id) {
        id -> Text,
        agency_code -> Text,
        operator_id -> Text,
        caller_phone -> Text,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        category -> Nullable<Text>,
        outcome -> Text,
        note -> Nullable<Text>,
        case_id -> Nullable<Text>,
        created_at -> Timestamp,
        callback_due_at -> Nullable<Timestamp>,
        callback_owner_id -> Nullable<Text>,
        callback_done_at -> Nullable<Timestamp>,
        callback_reminded -> Bool,
        kb_article_id -> Nullable<Text>,
    }
}

diesel::table! {
    kb_articles (id) {
        id -> Text,
        question -> Text,
        answer -> Text,
        legal_basis -> Text,
        category -> Text,
        status -> Text,
        version -> Integer,
        question_key -> Text,
        search_key -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_by -> Text,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    kb_revisions (id) {
        id -> Text,
        article_id -> Text,
        version -> Integer,
        question -> Text,
        answer -> Text,
        legal_basis -> Text,
        category -> Text,
        status -> Text,
        edited_by -> Text,
        edited_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> Text,
        case_id -> Text,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
        source -> Text,
    }
}

diesel::table! {
    idempotency_keys (key) {
        key -> Text,
        request_hash -> Text,
        case_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        kind -> Text,
        name -> Text,
        status -> Text,
        enabled -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_revision (id) {
        id -> Integer,
        revision -> BigInt,
    }
}

diesel::table! {
    case_clocks (id) {
        id -> Text,
        case_id -> Text,
        clock -> Text,
        started_at -> Timestamp,
        start_date -> Date,
        length_wd -> Nullable<Integer>,
        fixed_due -> Nullable<Date>,
        pauses -> Text,
        paused_since -> Nullable<Date>,
        due_date -> Date,
        due_at -> Timestamp,
        provisional -> Bool,
        state -> Text,
        result -> Nullable<Text>,
        stopped_at -> Nullable<Timestamp>,
        reminded -> Bool,
        overdue -> Bool,
        agency -> Nullable<Text>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        dedupe_key -> Nullable<Text>,
        payload -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        status -> Text,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Violation reports opened from a mass-complaint cluster (`service::clusters`).
    cluster_reports (report_case_id) {
        report_case_id -> Text,
        business_key -> Text,
        seq -> Integer,
        consumers -> Integer,
        first_at -> Timestamp,
        last_at -> Timestamp,
        opened_by -> Nullable<Text>,
        opened_at -> Timestamp,
    }
}

diesel::table! {
    /// The cases each cluster report covers.
    cluster_report_cases (report_case_id, case_id) {
        report_case_id -> Text,
        case_id -> Text,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        hits -> BigInt,
        window_start -> BigInt,
        strikes -> BigInt,
        locked_until -> BigInt,
    }
}

diesel::table! {
    access_links (token_hash) {
        token_hash -> Text,
        case_id -> Text,
        audience -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        action -> Text,
        actor_id -> Nullable<Text>,
        subject -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        token_hash -> Text,
        user_id -> Text,
        name -> Text,
        scopes -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Money recovered for a consumer, recorded with a confirmed performance (issue 14).
    case_recoveries (id) {
        id -> Text,
        case_id -> Text,
        amount_vnd -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    /// A period report submitted, its figures frozen (issue 14, `db::report_submissions`).
    report_submissions (id) {
        id -> Text,
        report -> Text,
        period -> Text,
        scope -> Text,
        submitted_by -> Text,
        submitted_at -> Timestamp,
        total_cases -> BigInt,
        summary_json -> Text,
        pdf -> Binary,
    }
}

diesel::table! {
    report_reminders (report, period, scope) {
        report -> Text,
        period -> Text,
        scope -> Text,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    case_ratings (case_id) {
        case_id -> Text,
        score -> Integer,
        resolved -> Bool,
        comment -> Nullable<Text>,
        rated_at -> Timestamp,
    }
}

diesel::table! {
    mediators (id) {
        id -> Text,
        body_agency -> Text,
        organisation -> Text,
        name -> Text,
        qualifications -> Text,
        languages -> Text,
        ethnic_groups -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        user_id -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    mediation_sessions (id) {
        id -> Text,
        case_id -> Text,
        mediator_id -> Nullable<Text>,
        starts_at -> Timestamp,
        duration_minutes -> Integer,
        place -> Nullable<Text>,
        online_link -> Nullable<Text>,
        attendees -> Text,
        status -> Text,
        sequence -> Integer,
        minutes -> Nullable<Text>,
        attendance -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_feeds (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    businesses (id) {
        id -> Text,
        tax_code -> Nullable<Text>,
        name -> Text,
        name_key -> Text,
        address -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        merged_into -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    business_case_links (case_id) {
        case_id -> Text,
        business_id -> Text,
        confirmed_by -> Nullable<Text>,
        confirmed_at -> Timestamp,
    }
}

diesel::table! {
    business_shared_evidence (evidence_id) {
        evidence_id -> Text,
        case_id -> Text,
        shared_by -> Nullable<Text>,
        shared_at -> Timestamp,
    }
}

diesel::joinable!(mediation_sessions -> cases (case_id));
diesel::joinable!(case_agencies -> cases (case_id));
diesel::joinable!(case_clocks -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(evidence -> cases (case_id));
diesel::joinable!(sessions -> users (user_id));
diesel::table! {
    /// Who filed a case when not a consumer for themself (`db::reporters`).
    case_reporters (case_id) {
        case_id -> Text,
        reporter_type -> Text,
        identity_protected -> Bool,
    }
}

diesel::joinable!(access_links -> cases (case_id));

diesel::table! {
    /// The public violator list (Decree 55/2024 Art 24; `db::notices`).
    public_violators (id) {
        id -> Text,
        case_id -> Text,
        agency_code -> Text,
        business_name -> Text,
        business_address -> Nullable<Text>,
        violation -> Text,
        place -> Nullable<Text>,
        decision_number -> Text,
        decision_date -> Date,
        issuing_body -> Text,
        published_by -> Text,
        published_at -> Timestamp,
        expires_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
        removed_reason -> Nullable<Text>,
        removed_by -> Nullable<Text>,
    }
}

diesel::table! {
    /// Public warnings (product, business or practice alerts; `db::notices`).
    public_warnings (id) {
        id -> Text,
        kind -> Text,
        status -> Text,
        title -> Text,
        body -> Text,
        business_name -> Nullable<Text>,
        product -> Nullable<Text>,
        start_date -> Date,
        end_date -> Date,
        agency_code -> Nullable<Text>,
        source -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Early-warning signals (`db::alerts`, ADR 0038).
    alerts (id) {
        id -> Text,
        week -> Text,
        week_start -> Timestamp,
        week_end -> Timestamp,
        dimension -> Text,
        group_key -> Text,
        label -> Text,
        cases_count -> BigInt,
        baseline -> Double,
        p_value -> Double,
        status -> Text,
        warning_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The weeks the early-warning job has examined.
    alert_runs (week) {
        week -> Text,
        ran_at -> Timestamp,
        signals -> BigInt,
    }
}

diesel::joinable!(public_violators -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    agencies,
    categories,
    users,
    sessions,
    cases,
    case_agencies,
    routing_corrections,
    case_events,
    calendar_days,
    calendar_revision,
    case_clocks,
    jobs,
    calls,
    evidence,
    idempotency_keys,
    cluster_reports,
    cluster_report_cases,
    rate_limits,
    access_links,
    audit_log,
    api_tokens,
    case_ratings,
    case_recoveries,
    report_submissions,
    report_reminders,
    mediators,
    mediation_sessions,
    calendar_feeds,
    businesses,
    business_case_links,
    business_shared_evidence,
    kb_articles,
    kb_revisions,
    public_violators,
    public_warnings,
    alerts,
    alert_runs,
);
