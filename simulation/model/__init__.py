"""The model: one definition of states, parameters, flows, services and policy rules.

Pure numpy, no I/O beyond the shipped demographic data (:mod:`simulation.model.demography`),
no plotting. Every layer above builds on this one; this one imports from none of them.
"""
