import Greeter
import OrdinautCommands

// Every `ordinaut` command, with the greeter beside the built-ins. Grant it at run time:
//   ORDINAUT_EXT_ENTRY_GRANTS='{"greeter": ["ROUTES", "TOOLS", "EVENTS_PUB", "BACKGROUND_TASKS"]}'
await OrdinautMain.run(extensions: [CompiledExtension { Greeter() }])
