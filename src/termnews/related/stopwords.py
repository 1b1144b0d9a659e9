"""English stop words left out of the related-articles index (function words and
newswire boilerplate such as "said")."""

from __future__ import annotations

STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above pm across after afterwards again against all almost alone along already also
    although always am among amongst an and another any anyhow anyone anything anyway
    anywhere are aren around as at back be became because become becomes becoming been
    before beforehand behind being below beside besides between beyond both but by can
    cannot could couldn did didn do does doesn doing don done down due during each eg eight
    either else elsewhere enough etc even ever every everyone everything everywhere except
    few first five for former formerly four from further get gets getting give given go goes
    going got had has hasn have haven having he hence her here hereafter hereby herein
    hereupon hers herself him himself his how however i ie if in inc indeed into is isn it
    its itself just keep last latter latterly least less let like ll ltd made many may me
    meanwhile might mine more moreover most mostly much must my myself namely neither never
    nevertheless new next nine no nobody none noone nor not nothing now nowhere of off often
    on once one only onto or other others otherwise our ours ourselves out over own per
    perhaps please put quite rather re really said same say says see seem seemed seeming
    seems seven several she should shouldn since six so some somehow someone something
    sometime sometimes somewhere still such take ten than that the their theirs them
    themselves then thence there thereafter thereby therefore therein thereupon these they
    this those though three through throughout thru thus to together too toward towards two
    under until up upon us use used using ve very via was wasn way we well were what
    whatever when whence whenever where whereafter whereas whereby wherein whereupon
    wherever whether which while whither who whoever whole whom whose why will with within
    without won would wouldn year years yet you your yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads better as text
)
