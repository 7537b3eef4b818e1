"""The `dondoc` command line (`main`), its sub-commands, and the operations only it runs: migrating
a database and loading the demo department."""
