-- Nothing to undo: the numbers are the same numbers, written in their national form.
SELECT 1;
