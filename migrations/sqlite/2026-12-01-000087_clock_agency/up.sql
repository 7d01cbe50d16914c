-- The agency a legal clock is charged to: the agency holding the case when the clock started,
-- for the clocks that are an agency's duty (acknowledge, forward_to_business, internal_target);
-- NULL for the clocks of the business (business_negotiation, business_report), of the consumer
-- (provide_info) and of the parties (settlement_performance, court_recognition). Agency
-- performance is grouped by it (ADR 0063). Clocks started before this migration are charged to
-- the agency holding their case now: history before it is approximate (a clock stopped by a
-- transfer is charged to the agency the case went to).
ALTER TABLE case_clocks ADD COLUMN agency TEXT;
UPDATE case_clocks SET agency = (SELECT c.current_agency FROM cases c WHERE c.id = case_clocks.case_id)
WHERE clock IN ('acknowledge', 'forward_to_business', 'internal_target');
