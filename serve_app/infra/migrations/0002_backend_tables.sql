-- The AI backend's own tables (contract section 7: fraud_alerts, business_insights, ml_models,
-- ai_analysis_results) plus feedback and an append-only audit log. JSON columns hold objects.
CREATE TABLE IF NOT EXISTS fraud_alerts (
    id text PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    alert_type text NOT NULL CHECK (alert_type IN ('duplicate_invoice', 'payment_mismatch',
                                                   'suspicious_pattern', 'duplicate_supplier_bill')),
    message text NOT NULL,
    confidence_score numeric(6,4) NOT NULL,
    evidence jsonb NOT NULL,
    subject_ids jsonb NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'resolved')),
    model_version text NOT NULL,
    detected_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_fraud_alerts_business_status ON fraud_alerts (business_id, status);
CREATE INDEX IF NOT EXISTS idx_fraud_alerts_created ON fraud_alerts (detected_at);

CREATE TABLE IF NOT EXISTS business_insights (
    id text PRIMARY KEY,
    business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    insight_type text NOT NULL,
    payload jsonb NOT NULL,
    valid_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_insights_business_valid ON business_insights (business_id, valid_until);
CREATE INDEX IF NOT EXISTS idx_insights_type ON business_insights (insight_type);

CREATE TABLE IF NOT EXISTS ai_analysis_results (
    id text PRIMARY KEY,
    business_id uuid,
    analysis_type text NOT NULL,
    caller_id text NOT NULL,
    model_version text NOT NULL,
    summary jsonb NOT NULL,
    duration_ms numeric(12,3) NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_ai_analysis_business_type ON ai_analysis_results (business_id, analysis_type);
CREATE INDEX IF NOT EXISTS idx_ai_analysis_created ON ai_analysis_results (created_at);

CREATE TABLE IF NOT EXISTS ai_feedback (
    id text PRIMARY KEY,
    caller_id text NOT NULL,
    feedback_type text NOT NULL,
    entity_id text NOT NULL,
    helpful boolean NOT NULL,
    comment text,
    submitted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS ml_models (
    name text NOT NULL,
    version text NOT NULL,
    sha256 text NOT NULL,
    training_data_hash text NOT NULL,
    metrics jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (name, version)
);
