-- The console's queue (ADR 0047). Every queue page lists open cases soonest due first and counts
-- its tabs over the open cases, and the dashboard counts per agency over them too; at 1,000,000
-- cases on PostgreSQL the queue page took 1.6 s (a sort of every open case for the page, a scan
-- of the whole table for the counts).
--
-- One index of the open cases only (closed cases are most of a mature database and no queue
-- shows them): first the due order of every list (`sort=due`: priority, then the cases with a
-- due time, soonest first, then the rest), so a queue page walks it and stops; then every
-- column the queue's and the dashboard's counts read (`db::cases::counts`: agency, unit,
-- assignee, transfer, status, the agencies that see the case, the mediator), so the counts
-- read this index alone. The service writes the condition as this exact text
-- (`cases.status <> 'closed'`, `db::cases::list::OpenCase`) so both planners can prove a
-- query's cases are in it.
CREATE INDEX cases_open_due_idx ON cases (
    priority DESC, (due_at IS NULL), due_at, id,
    current_agency, unit_code, assignee_id, pending_transfer_to, status, visible_to, mediator_id
) WHERE status <> 'closed';
