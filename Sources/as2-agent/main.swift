print("as2-agent")
