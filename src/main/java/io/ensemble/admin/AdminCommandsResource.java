package io.ensemble.admin;

import io.ensemble.server.EnsembleServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ZooKeeper's AdminServer on the HTTP port: {@code GET /commands} lists the commands with links, {@code GET
 * /commands/<name or alias>} runs one and answers JSON (JSON-B) with "command" (the primary name) and "error".
 * Unlike ZooKeeper, which answers 200 with "error" set, the status is something a plain httpGet probe can use:
 * 200 ran on a serving server, 503 the server is not serving (or its pipeline did not answer in time), 404 no
 * such command.
 */
@Path("/commands")
@ApplicationScoped
public class AdminCommandsResource {
    private final AdminCommands commands = new AdminCommands();
    private final EnsembleServer server;
    private final ServerState state;
    private final long timeoutMillis;

    @Inject
    AdminCommandsResource(EnsembleServer server, ServerState state,
                          @ConfigProperty(name = "ensemble.admin.commandTimeoutMs", defaultValue = "5000")
                          long timeoutMillis) {
        this.server = server;
        this.state = state;
        this.timeoutMillis = timeoutMillis;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> list() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (AdminCommands.Command c : commands.all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("aliases", c.aliases());
            m.put("link", "/commands/" + c.name());
            list.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("commands", list);
        body.put("command", "commands");
        body.put("error", null);
        return body;
    }

    @GET
    @Path("{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response run(@PathParam("name") String name) {
        var command = commands.find(name);
        if (command.isEmpty()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("command", name);
            body.put("error", "Command not found: " + name + " (see /commands)");
            return Response.status(Response.Status.NOT_FOUND).entity(body).build();
        }
        boolean serving = state.serving() && server.isRunning();
        AdminCommands.Outcome outcome;
        try {
            outcome = commands.run(command.get(), AdminCommands.context(server, state, timeoutMillis), serving);
        } catch (AdminCommands.PipelineTimeout e) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("command", command.get().name());
            body.put("error", e.getMessage());
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(body).build();
        }
        return Response.status(outcome.serving() ? Response.Status.OK : Response.Status.SERVICE_UNAVAILABLE)
                .entity(outcome.body()).build();
    }
}
