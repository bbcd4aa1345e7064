"""Large generated data sets for ``seed_demo --scale county|province``: one module per
domain with ``load(ctx)``, run in the order of ``demo.management.commands.seed_demo.DOMAINS``
(``members`` holds the shared machinery: the plan, the COPY writer, the scales)."""
