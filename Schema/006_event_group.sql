-- No table changes. From this format on, a row of `event` may hold several events of one case
-- (an imported case's opening and its past), sealed together: the row numbered `seq` holding n
-- events holds events seq - n + 1 … seq, and n is inside the sealed bytes. An earlier build
-- would read such a row as a damaged event, so this migration marks the vault as one it must
-- refuse ("written by a newer version") rather than misreport.
UPDATE vault SET format = 6;
