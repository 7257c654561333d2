"""Plain Python shared by the apps: domain errors and the free-text rule. Imports nothing
from the apps."""
