"""What Loa 114 says: the script library, its front matter and templates, the context they are filled
from, notice templates, and `speech` (how Vietnamese text is read aloud: numbers, dates, units, 114).

Never imports `audio` or `scheduler` (`make lint` checks it); takes its settings as plain values.
"""
