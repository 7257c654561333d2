"""Plain Python shared by the apps: domain errors. Imports nothing from the apps."""
