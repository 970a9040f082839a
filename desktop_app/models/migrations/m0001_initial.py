"""Migration 0001: the initial schema. Frozen: later changes go in new numbered migrations."""

SQL = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('unit', 'county_office', 'finance', 'audit', 'secrecy')),
    short_name TEXT,
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT,
    record_kind TEXT,
    record_id TEXT,
    filename TEXT NOT NULL,
    media_type TEXT,
    size INTEGER NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX idx_attachments_record ON attachments(record_kind, record_id);
CREATE INDEX idx_attachments_project ON attachments(project_id);
CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    is_workday INTEGER NOT NULL CHECK (is_workday IN (0, 1)),
    name TEXT,
    source TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    org_code TEXT NOT NULL,
    operation TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT,
    project_id TEXT,
    summary TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX idx_audit_project ON audit_log(project_id);
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    lead_org_id TEXT NOT NULL REFERENCES organisations(id),
    plan_year INTEGER NOT NULL CHECK (plan_year >= 0),
    category TEXT NOT NULL CHECK (category IN ('new', 'upgrade', 'om')),
    total_investment_fen INTEGER NOT NULL CHECK (total_investment_fen >= 0),
    fiscal_share_fen INTEGER CHECK (fiscal_share_fen >= 0),
    om_estimate_fen INTEGER CHECK (om_estimate_fen >= 0),
    large_project INTEGER CHECK (large_project IN (0, 1)),
    responsible_person TEXT,
    contact TEXT,
    mlps_level TEXT CHECK (mlps_level IN ('1', '2', '3', '4')),
    classified INTEGER CHECK (classified IN (0, 1)),
    higher_level INTEGER CHECK (higher_level IN (0, 1)),
    higher_level_tier TEXT CHECK (higher_level_tier IN ('national', 'provincial', 'city')),
    prohibited_types TEXT,
    prohibited_justification TEXT,
    planned_start TEXT,
    planned_completion TEXT,
    delay_explanation TEXT,
    summary TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'under_review', 'revise', 'approved', 'rejected', 'planned', 'in_construction', 'suspended', 'acceptance_requested', 'accepted', 'failed', 'in_operation', 'self_evaluated', 'post_evaluated', 'terminated')),
    status_since TEXT
);
CREATE TABLE project_co_builders (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    scope TEXT
);
CREATE INDEX idx_project_co_builders_project ON project_co_builders(project_id);
CREATE TABLE application_materials (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    material_type TEXT NOT NULL CHECK (material_type IN ('application_report', 'plan', 'budget', 'history')),
    title TEXT NOT NULL,
    prepared_on TEXT,
    attachment_id TEXT REFERENCES attachments(id)
);
CREATE INDEX idx_application_materials_project ON application_materials(project_id);
CREATE TABLE investment_history (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    year INTEGER NOT NULL CHECK (year >= 0),
    investment_fen INTEGER NOT NULL CHECK (investment_fen >= 0),
    om_cost_fen INTEGER CHECK (om_cost_fen >= 0),
    usage TEXT
);
CREATE INDEX idx_investment_history_project ON investment_history(project_id);
CREATE TABLE egov_consultations (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    consulted_on TEXT NOT NULL,
    advisor TEXT,
    advice TEXT
);
CREATE INDEX idx_egov_consultations_project ON egov_consultations(project_id);
CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    round INTEGER NOT NULL CHECK (round >= 0),
    reviewed_on TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('central', 'expert_panel')),
    conclusion TEXT NOT NULL CHECK (conclusion IN ('pass', 'revise', 'reject')),
    opinion TEXT NOT NULL,
    opinion_no TEXT,
    approved_investment_fen INTEGER CHECK (approved_investment_fen >= 0)
);
CREATE INDEX idx_reviews_project ON reviews(project_id);
CREATE TABLE expert_opinions (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    review_id TEXT NOT NULL REFERENCES reviews(id),
    expert_name TEXT NOT NULL,
    affiliation TEXT,
    opinion TEXT NOT NULL,
    conclusion TEXT CHECK (conclusion IN ('pass', 'revise', 'reject'))
);
CREATE INDEX idx_expert_opinions_project ON expert_opinions(project_id);
CREATE TABLE funding_decisions (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    decided_on TEXT NOT NULL,
    approved_fen INTEGER NOT NULL CHECK (approved_fen >= 0),
    budget_year INTEGER NOT NULL CHECK (budget_year >= 0),
    decision_no TEXT,
    opinion TEXT
);
CREATE INDEX idx_funding_decisions_project ON funding_decisions(project_id);
CREATE TABLE higher_level_filings (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    consent_on TEXT,
    consent_no TEXT,
    applied_upward_on TEXT,
    upper_approved_on TEXT,
    upper_authority TEXT,
    filed_on TEXT
);
CREATE INDEX idx_higher_level_filings_project ON higher_level_filings(project_id);
CREATE TABLE secrecy_confirmations (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    confirmed_on TEXT NOT NULL,
    document_no TEXT,
    opinion TEXT
);
CREATE INDEX idx_secrecy_confirmations_project ON secrecy_confirmations(project_id);
CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    contract_no TEXT NOT NULL,
    title TEXT NOT NULL,
    supplier TEXT NOT NULL,
    procurement_method TEXT NOT NULL CHECK (procurement_method IN ('open_tender', 'invited_tender', 'competitive', 'consultation', 'single_source', 'inquiry', 'framework')),
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    signed_on TEXT NOT NULL,
    filed_on TEXT,
    supervisor TEXT
);
CREATE INDEX idx_contracts_project ON contracts(project_id);
CREATE TABLE progress_reports (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    year INTEGER NOT NULL CHECK (year >= 0),
    reported_on TEXT NOT NULL,
    progress_pct INTEGER NOT NULL CHECK (progress_pct >= 0),
    budget_executed_fen INTEGER NOT NULL CHECK (budget_executed_fen >= 0),
    trial_run INTEGER CHECK (trial_run IN (0, 1)),
    effects TEXT,
    problems TEXT
);
CREATE INDEX idx_progress_reports_project ON progress_reports(project_id);
CREATE TABLE change_requests (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    change_kind TEXT NOT NULL CHECK (change_kind IN ('technical', 'major')),
    submitted_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    content TEXT NOT NULL,
    investment_delta_fen INTEGER CHECK (investment_delta_fen >= 0),
    implemented_before_approval INTEGER CHECK (implemented_before_approval IN (0, 1))
);
CREATE INDEX idx_change_requests_project ON change_requests(project_id);
CREATE TABLE change_decisions (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    change_request_id TEXT NOT NULL REFERENCES change_requests(id),
    decider TEXT NOT NULL CHECK (decider IN ('egov_office', 'county_office', 'finance')),
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    decided_on TEXT NOT NULL,
    opinion TEXT
);
CREATE INDEX idx_change_decisions_project ON change_decisions(project_id);
CREATE TABLE problem_reports (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    problem_kind TEXT NOT NULL CHECK (problem_kind IN ('delay', 'loss', 'other')),
    occurred_on TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    description TEXT NOT NULL,
    measures TEXT
);
CREATE INDEX idx_problem_reports_project ON problem_reports(project_id);
CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    inspected_on TEXT NOT NULL,
    inspectors TEXT,
    scope TEXT
);
CREATE INDEX idx_inspections_project ON inspections(project_id);
CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    description TEXT NOT NULL,
    rectify_by TEXT NOT NULL,
    notice_no TEXT,
    closed_on TEXT
);
CREATE INDEX idx_findings_project ON findings(project_id);
CREATE TABLE rectifications (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    finding_id TEXT NOT NULL REFERENCES findings(id),
    submitted_on TEXT NOT NULL,
    content TEXT NOT NULL,
    accepted INTEGER CHECK (accepted IN (0, 1))
);
CREATE INDEX idx_rectifications_project ON rectifications(project_id);
CREATE TABLE sanctions (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    sanction_kind TEXT NOT NULL CHECK (sanction_kind IN ('reprimand', 'withhold_funds', 'suspend', 'terminate')),
    imposed_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    finding_id TEXT REFERENCES findings(id),
    document_no TEXT,
    lifted_on TEXT
);
CREATE INDEX idx_sanctions_project ON sanctions(project_id);
CREATE TABLE acceptance_applications (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    applied_on TEXT NOT NULL,
    completed_on TEXT,
    summary TEXT
);
CREATE INDEX idx_acceptance_applications_project ON acceptance_applications(project_id);
CREATE TABLE acceptance_extensions (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    requested_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    new_date TEXT NOT NULL,
    approved INTEGER CHECK (approved IN (0, 1))
);
CREATE INDEX idx_acceptance_extensions_project ON acceptance_extensions(project_id);
CREATE TABLE acceptance_results (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    accepted_on TEXT NOT NULL,
    group_members TEXT NOT NULL,
    conclusion TEXT NOT NULL CHECK (conclusion IN ('pass', 'fail')),
    controllable_ok TEXT NOT NULL CHECK (controllable_ok IN ('pass', 'fail')),
    opinion TEXT,
    report_filed_on TEXT,
    rectify_by TEXT
);
CREATE INDEX idx_acceptance_results_project ON acceptance_results(project_id);
CREATE TABLE evaluations (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    eval_kind TEXT NOT NULL CHECK (eval_kind IN ('self', 'post')),
    evaluated_on TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score >= 0),
    grade TEXT NOT NULL CHECK (grade IN ('excellent', 'good', 'fair', 'poor')),
    indicators TEXT,
    findings TEXT,
    rectify_by TEXT
);
CREATE INDEX idx_evaluations_project ON evaluations(project_id);
CREATE TABLE resource_catalog (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    resource_name TEXT NOT NULL,
    source TEXT NOT NULL,
    data_format TEXT NOT NULL,
    update_cycle TEXT NOT NULL CHECK (update_cycle IN ('realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular')),
    sharing_type TEXT NOT NULL CHECK (sharing_type IN ('unconditional', 'conditional', 'none')),
    sharing_condition TEXT,
    opening_type TEXT NOT NULL CHECK (opening_type IN ('open', 'conditional', 'closed')),
    registered_on TEXT
);
CREATE INDEX idx_resource_catalog_project ON resource_catalog(project_id);
CREATE TABLE platform_connections (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    platform TEXT NOT NULL CHECK (platform IN ('sharing', 'open_data')),
    connected_on TEXT NOT NULL,
    interfaces INTEGER CHECK (interfaces >= 0),
    note TEXT
);
CREATE INDEX idx_platform_connections_project ON platform_connections(project_id);
CREATE TABLE budgets (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    year INTEGER NOT NULL CHECK (year >= 0),
    budget_kind TEXT NOT NULL CHECK (budget_kind IN ('construction', 'om')),
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    approved_on TEXT
);
CREATE INDEX idx_budgets_project ON budgets(project_id);
CREATE TABLE disbursements (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    paid_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    purpose TEXT NOT NULL CHECK (purpose IN ('construction', 'om')),
    voucher_no TEXT
);
CREATE INDEX idx_disbursements_project ON disbursements(project_id);
CREATE TABLE surplus_returns (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    returned_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    channel TEXT
);
CREATE INDEX idx_surplus_returns_project ON surplus_returns(project_id);
CREATE TABLE security_records (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    security_kind TEXT NOT NULL CHECK (security_kind IN ('mlps_filing', 'mlps_testing', 'risk_assessment', 'crypto_assessment', 'rectification')),
    done_on TEXT NOT NULL,
    agency TEXT,
    result TEXT CHECK (result IN ('pass', 'fail')),
    document_no TEXT,
    note TEXT
);
CREATE INDEX idx_security_records_project ON security_records(project_id);
CREATE TABLE controllable_products (
    id TEXT PRIMARY KEY,
    owner_org TEXT NOT NULL REFERENCES organisations(id),
    rev INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    product TEXT NOT NULL,
    category TEXT NOT NULL,
    vendor TEXT,
    controllable INTEGER NOT NULL CHECK (controllable IN (0, 1)),
    note TEXT
);
CREATE INDEX idx_controllable_products_project ON controllable_products(project_id);

CREATE INDEX idx_projects_status ON projects(status);
CREATE TABLE project_deadlines (
    project_id TEXT PRIMARY KEY REFERENCES projects(id),
    next_due TEXT,
    next_due_tentative INTEGER NOT NULL DEFAULT 0,
    next_message TEXT,
    overdue INTEGER NOT NULL DEFAULT 0,
    blocked INTEGER NOT NULL DEFAULT 0,
    computed_for TEXT NOT NULL
);
CREATE INDEX idx_projects_lead ON projects(lead_org_id);
CREATE INDEX idx_projects_year ON projects(plan_year);
"""
