"""The evaluation rules, free of I/O: questionnaires, forms, needs surveys, evaluation schemes and reports."""
