"""How far the analysis follows values: constants that modules without the analysis (the
project facts' data, which a warm run reads) need too. Imports nothing."""

MAX_CALL_LEVELS = 4  # caller -> f -> g -> h -> sink
