"""The strategy classes of the Axelrod library that ``axelrod:<ClassName>`` may name, as of the
version the adapter is pinned to, so that a misspelt name fails at once (with a "did you
mean") without importing the library, which takes seconds (see ``axelrod_adapter._lookup``).
The names are what the adapter accepts: ``axelrod.all_strategies`` and every other
``axelrod.Player`` subclass of the package namespace. ``tests/test_axelrod_adapter.py``
checks them against the installed library; to regenerate after a version bump, print
``sorted(strategies.axelrod_adapter.library_names())``.
"""

AXELROD_VERSION = "4.13.0"

NAMES = frozenset((
    'ALLCorALLD', 'ANN', 'AON2', 'APavlov2006', 'APavlov2011', 'Adaptive', 'AdaptiveTitForTat', 'AdaptorBrief',
    'AdaptorLong', 'Aggravater', 'Alexei', 'Alternator', 'AlternatorHunter', 'AntiCycler', 'AntiTitForTat',
    'Appeaser', 'ArrogantQLearner', 'AverageCopier', 'BackStabber', 'BetterAndBetter', 'Bully', 'BurnBothEnds',
    'BushMosteller', 'Calculator', 'Capri', 'CautiousQLearner', 'CollectiveStrategy', 'ContriteTitForTat',
    'Cooperator', 'CooperatorHunter', 'CycleHunter', 'Cycler', 'CyclerCCCCCD', 'CyclerCCCD', 'CyclerCCCDCD',
    'CyclerCCD', 'CyclerDC', 'CyclerDDC', 'DBS', 'Darwin', 'Defector', 'DefectorHunter', 'DelayedAON1',
    'Desperate', 'Detective', 'DoubleCrosser', 'DoubleResurrection', 'Doubler', 'DynamicTwoTitsForTat',
    'EasyGo', 'EugineNier', 'EventualCycleHunter', 'EvolvableANN', 'EvolvableCycler', 'EvolvableFSMPlayer',
    'EvolvableGambler', 'EvolvableHMMPlayer', 'EvolvableLookerUp', 'EvolvablePlayer', 'EvolvedANN',
    'EvolvedANN5', 'EvolvedANNNoise05', 'EvolvedFSM16', 'EvolvedFSM16Noise05', 'EvolvedFSM4', 'EvolvedFSM6',
    'EvolvedHMM5', 'EvolvedLookerUp1_1_1', 'EvolvedLookerUp2_2_2', 'FSMPlayer', 'FirmButFair',
    'FirstByAnonymous', 'FirstByDavis', 'FirstByDowning', 'FirstByFeld', 'FirstByGraaskamp', 'FirstByGrofman',
    'FirstByJoss', 'FirstByNydegger', 'FirstByShubik', 'FirstBySteinAndRapoport', 'FirstByTidemanAndChieruzzi',
    'FirstByTullock', 'FoolMeOnce', 'ForgetfulFoolMeOnce', 'ForgetfulGrudger', 'Forgiver', 'ForgivingTitForTat',
    'Fortress3', 'Fortress4', 'GTFT', 'Gambler', 'GeneralSoftGrudger', 'GoByMajority', 'GoByMajority10',
    'GoByMajority20', 'GoByMajority40', 'GoByMajority5', 'Golden', 'Gradual', 'GradualKiller', 'Grudger',
    'GrudgerAlternator', 'Grumpy', 'HMMPlayer', 'Handshake', 'HardGoByMajority', 'HardGoByMajority10',
    'HardGoByMajority20', 'HardGoByMajority40', 'HardGoByMajority5', 'HardProber', 'HardTitFor2Tats',
    'HardTitForTat', 'HesitantQLearner', 'Hopeless', 'Human', 'Inverse', 'InversePunisher',
    'KnowledgeableWorseAndWorse', 'LevelPunisher', 'LimitedRetaliate', 'LimitedRetaliate2', 'LimitedRetaliate3',
    'LookerUp', 'MEM2', 'MathConstantHunter', 'MemoryDecay', 'MemoryOnePlayer', 'MemoryTwoPlayer', 'MetaHunter',
    'MetaHunterAggressive', 'MetaMajority', 'MetaMajorityFiniteMemory', 'MetaMajorityLongMemory',
    'MetaMajorityMemoryOne', 'MetaMinority', 'MetaMixer', 'MetaPlayer', 'MetaWinner', 'MetaWinnerDeterministic',
    'MetaWinnerEnsemble', 'MetaWinnerFiniteMemory', 'MetaWinnerLongMemory', 'MetaWinnerMemoryOne',
    'MetaWinnerStochastic', 'Michaelos', 'MockPlayer', 'NMWEDeterministic', 'NMWEFiniteMemory',
    'NMWELongMemory', 'NMWEMemoryOne', 'NMWEStochastic', 'NTitsForMTats', 'NaiveProber', 'Negation',
    'NiceAverageCopier', 'NiceMetaWinner', 'NiceMetaWinnerEnsemble', 'OmegaTFT', 'OnceBitten',
    'OppositeGrudger', 'OriginalGradual', 'PSOGambler1_1_1', 'PSOGambler2_2_2', 'PSOGambler2_2_2_Noise05',
    'PSOGamblerMem1', 'Pi', 'Predator', 'Prober', 'Prober2', 'Prober3', 'Prober4', 'Pun1', 'Punisher', 'Raider',
    'Random', 'RandomHunter', 'RandomTitForTat', 'ReactivePlayer', 'RemorsefulProber', 'Resurrection',
    'Retaliate', 'Retaliate2', 'Retaliate3', 'RevisedDowning', 'Ripoff', 'RiskyQLearner', 'SecondByAppold',
    'SecondByBlack', 'SecondByBorufsen', 'SecondByCave', 'SecondByChampion', 'SecondByColbert',
    'SecondByEatherley', 'SecondByGetzler', 'SecondByGladstein', 'SecondByGraaskampKatzen', 'SecondByGrofman',
    'SecondByHarrington', 'SecondByKluepfel', 'SecondByLeyvraz', 'SecondByMikkelson', 'SecondByRichardHufford',
    'SecondByRowsam', 'SecondByTester', 'SecondByTidemanAndChieruzzi', 'SecondByTranquilizer', 'SecondByWeiner',
    'SecondByWhite', 'SecondByWmAdams', 'SecondByYamachi', 'SelfSteem', 'SequencePlayer', 'ShortMem',
    'SlowTitForTwoTats2', 'SneakyTitForTat', 'SoftGrudger', 'SoftJoss', 'SolutionB1', 'SolutionB5',
    'SpitefulCC', 'SpitefulTitForTat', 'Stalker', 'StochasticCooperator', 'StochasticWSLS',
    'SuspiciousTitForTat', 'TF1', 'TF2', 'TF3', 'ThueMorse', 'ThueMorseInverse', 'Thumper', 'TitFor2Tats',
    'TitForTat', 'TrickyCooperator', 'TrickyDefector', 'TrickyLevelPunisher', 'TwoTitsForTat',
    'UsuallyCooperates', 'UsuallyDefects', 'VeryBad', 'Willing', 'WinShiftLoseStay', 'WinStayLoseShift',
    'Winner12', 'Winner21', 'WorseAndWorse', 'WorseAndWorse2', 'WorseAndWorse3', 'ZDExtort2', 'ZDExtort2v2',
    'ZDExtort3', 'ZDExtort4', 'ZDExtortion', 'ZDGTFT2', 'ZDGen2', 'ZDMem2', 'ZDMischief', 'ZDSet2', 'e',
))

#: classes the adapter refuses, and why (their classifier: they inspect or manipulate the opponent)
CHEATING = {
    'Darwin': ('inspects_source', 'manipulates_state'),
    'Human': ('inspects_source',),
}
