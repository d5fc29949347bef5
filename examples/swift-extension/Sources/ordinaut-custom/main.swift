import Greeter
import OrdinautCommands

// Every `ordinaut` command, with the greeter beside the built-ins. Grant it at run time, and make it
// eager so that its tools are listed from the start:
//   ORDINAUT_EXT_ENTRY_GRANTS='{"greeter": ["ROUTES", "TOOLS", "EVENTS_PUB", "BACKGROUND_TASKS"]}'
//   ORDINAUT_EXT_ENTRY_EAGER='{"greeter": true}'
await OrdinautMain.run(extensions: [CompiledExtension { Greeter() }])
