import OrdinautCommands

await OrdinautMain.run()
