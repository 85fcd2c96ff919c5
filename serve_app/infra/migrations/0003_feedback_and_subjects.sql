-- Feedback on predictions (POST /api/v1/feedback/structured): which business's prediction and
-- which model a vote is about, and one vote per user per prediction. The prediction records
-- name what they judged (an invoice checked or drafted), so a vote can be traced to its
-- business.
ALTER TABLE ai_feedback ADD COLUMN business_id uuid;
ALTER TABLE ai_feedback ADD COLUMN model text;
CREATE UNIQUE INDEX IF NOT EXISTS uq_ai_feedback_vote ON ai_feedback (caller_id, entity_id);
CREATE INDEX IF NOT EXISTS idx_ai_feedback_model ON ai_feedback (model);
ALTER TABLE ai_analysis_results ADD COLUMN subject_id text;
CREATE INDEX IF NOT EXISTS idx_ai_analysis_subject ON ai_analysis_results (subject_id);
CREATE INDEX IF NOT EXISTS idx_ai_analysis_type_created ON ai_analysis_results (analysis_type, created_at);
