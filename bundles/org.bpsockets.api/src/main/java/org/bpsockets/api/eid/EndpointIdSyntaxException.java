package org.bpsockets.api.eid;

/** An endpoint ID text or value that is not valid; the message names the input and the problem. */
public class EndpointIdSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String input;
    private final String problem;

    public EndpointIdSyntaxException(String input, String problem) {
        super("invalid endpoint ID '" + input + "': " + problem);
        this.input = input;
        this.problem = problem;
    }

    /** The text (or value description) that was rejected. */
    public String input() {
        return input;
    }

    /** What is wrong with it, without the input. */
    public String problem() {
        return problem;
    }
}
